using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// Bounds of what the Api writes and of its ids, which no request rule states: UUIDs and timestamps
/// have fixed lengths, pages hold at most <see cref="ListQuery.MaxLimit"/> items, a resource has at most
/// one report per known controller, generations are non-negative <c>bigint</c>s. They make the
/// document exact for clients and answer Spectral's OWASP limits with facts rather than guesses; what
/// has no such bound (token claims, problem texts) is listed in docs/api-decisions.md.
/// </summary>
internal static class ResponseBounds
{
    /// <summary>RFC 4122's textual form.</summary>
    private const int UuidLength = 36;

    /// <summary>RFC 3339 as .NET writes it, at most <c>2026-12-01T21:44:37.1234567+00:00</c> (33), with room.</summary>
    private const int TimestampLength = 40;

    /// <summary>Base64url of a 16-byte id (22 characters) or of a decimal <c>bigint</c> (at most 28).</summary>
    private const int CursorLength = 64;

    private static readonly Dictionary<string, string> Kinds = new()
    {
        [nameof(Cluster)] = ResourceKind.Cluster.Name,
        [nameof(NodePool)] = ResourceKind.NodePool.Name,
        ["ResourceListOfCluster"] = "ClusterList",
        ["ResourceListOfNodePool"] = "NodePoolList",
        [nameof(AuditList)] = nameof(AuditList),
        [nameof(StatusReportList)] = nameof(StatusReportList),
        [nameof(ManagementClusterList)] = nameof(ManagementClusterList),
        ["ResourceListOfOpenShiftVersion"] = "VersionList",
        [nameof(ClusterUpgradeList)] = "UpgradeList",
    };

    public static OpenApiOptions AddResponseBounds(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            // The generator's schema of JsonElement, no longer referenced now that `data` says what it is.
            document.Components?.Schemas?.Remove(nameof(System.Text.Json.JsonElement));
            foreach (var (name, schema) in document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
            {
                if (schema is OpenApiSchema concrete)
                {
                    Bound(concrete);
                    if (Kinds.TryGetValue(name, out var kind))
                    {
                        concrete.SetProperty("kind", OpenApiSchemas.Enum([kind]));
                    }
                }
            }

            foreach (var parameter in document.Paths.Values.OfType<OpenApiPathItem>()
                         .SelectMany(p => p.Operations?.Values ?? Enumerable.Empty<OpenApiOperation>())
                         .SelectMany(o => o.Parameters ?? []).OfType<OpenApiParameter>())
            {
                if (parameter.Schema is OpenApiSchema schema)
                {
                    Bound(schema);
                }
            }

            Pages(document);
            Reports(document);
            Counters(document);
            Fleet(document);
            Versions(document);
            return Task.CompletedTask;
        });

    /// <summary>Fixed-length strings, wherever they are.</summary>
    private static void Bound(OpenApiSchema schema)
    {
        if (schema.Type?.HasFlag(JsonSchemaType.String) == true)
        {
            schema.MaxLength ??= schema.Format switch
            {
                "uuid" => UuidLength,
                "date-time" => TimestampLength,
                _ => null,
            };
        }

        foreach (var (name, property) in schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
        {
            if (property is not OpenApiSchema inline)
            {
                continue;
            }

            if (name == "continue")
            {
                inline.MaxLength = CursorLength;
            }

            Bound(inline);
        }
    }

    private static void Pages(OpenApiDocument document)
    {
        foreach (var list in new[] { "ResourceListOfCluster", "ResourceListOfNodePool", nameof(AuditList) })
        {
            document.Component(list).Property("items").MaxItems = ListQuery.MaxLimit;
        }

        foreach (var (schema, kind) in new[] { (nameof(Cluster), ResourceKind.Cluster), (nameof(NodePool), ResourceKind.NodePool) })
        {
            document.Component(schema).SetProperty("href", OpenApiSchemas.String(kind.PathBase.Length + 1 + UuidLength, $"^{kind.PathBase}/[0-9a-f-]{{{UuidLength}}}$"));
        }
    }

    /// <summary>One report per known controller, each with at most one condition of each type.</summary>
    private static void Reports(OpenApiDocument document)
    {
        var controllers = ControllerNames.All.Count;
        var conditionTypes = StatusReportRequests.ConditionTypes.Count;
        document.Component(nameof(ResourceStatus)).Property("controllers").MaxItems = controllers;
        document.Component(nameof(StatusReportList)).Property("items").MaxItems = controllers;
        document.Component(nameof(ControllerStatus)).Property("conditions").MaxItems = conditionTypes;
        document.Component(nameof(ControllerStatus)).SetProperty("name", OpenApiSchemas.Enum(ControllerNames.All));
        // Aggregated: Ready, Progressing and Degraded.
        document.Component(nameof(ResourceStatus)).Property("conditions").MaxItems = 3;
        // Where a cluster answers, as the report edge admits it (Validation/ClusterUrlReports.cs).
        foreach (var field in ClusterUrlReports.Fields)
        {
            document.Component(nameof(ResourceStatus)).SetProperty(field, new OpenApiSchema
            {
                Type = JsonSchemaType.String | JsonSchemaType.Null,
                Format = "uri",
                MaxLength = ClusterUrlReports.MaxLength,
                Pattern = "^https://",
                // Not readOnly: status as a whole is response-only (no request schema carries it), like its other
                // fields. Marked alone, these two were dropped by Kiota's serializer from what cpctl prints.
                Description = field == "apiUrl"
                    ? "A cluster's API server (HyperShift's status.controlPlaneEndpoint); null until known, always null on a node pool."
                    : "A cluster's console by HyperShift's rule, once its control plane is Available; null until then, always null on a node pool.",
            });
            // Always written, null or not (Data/Functions/06_aggregate_status.sql).
            document.Component(nameof(ResourceStatus)).Required?.Add(field);
        }
    }

    /// <summary>
    /// A management cluster as stored: what its PUT admitted. The API endpoint has no rule of its own;
    /// the body limit bounds it, in the request and so in what is stored.
    /// </summary>
    private static void Fleet(OpenApiDocument document)
    {
        var stored = document.Component(nameof(ManagementCluster));
        stored.SetProperty("name", SchemaRules.Name(FleetRequests.MaxNameLength));
        stored.SetProperty("region", OpenApiSchemas.String(63, OpenApiSchemas.Ecma(FieldRules.GcpResourceNamePattern),
            description: "A region that was supported when the management cluster was written."));
        stored.SetProperty("ingressTarget", OpenApiSchemas.String(FieldRules.MaxDnsSubdomainLength));
        stored.Property("apiEndpoint").MaxLength = RequestBody.MaxBytes;
        document.Component(nameof(AuditEntry)).Property("reason").MaxLength = DeleteRequests.MaxForceReasonLength;
        document.Component(nameof(JsonWebKeySet)).Property("keys").Items = new OpenApiSchema { Type = JsonSchemaType.Object, Description = "An RFC 7517 JWK." };
    }

    private static readonly string[] VersionPaths = ["/api/v1/versions", "/api/v1/versions/{version}"];

    /// <summary>The version catalog: its channel groups, the store's bounds, and the versions' parameters.</summary>
    private static void Versions(OpenApiDocument document)
    {
        document.Component("ResourceListOfOpenShiftVersion").Property("items").MaxItems = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxListed;
        var version = document.Component(nameof(OpenShiftVersion));
        version.Property("version").MaxLength = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxVersionLength;
        version.SetProperty("channelGroup", OpenApiSchemas.Enum(ClusterPlatform.Api.Versions.ChannelGroups.All));
        version.Property("releaseImage").MaxLength = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxReleaseImageLength;
        Upgrades(document);
        foreach (var operation in VersionPaths.SelectMany(path => document.Paths.TryGetValue(path, out var item) && item is OpenApiPathItem { Operations: { } operations }
                         ? operations.Values : Enumerable.Empty<OpenApiOperation>()))
        {
            foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>())
            {
                parameter.Schema = parameter.Name == "channelGroup"
                    ? OpenApiSchemas.Enum(ClusterPlatform.Api.Versions.ChannelGroups.All)
                    : OpenApiSchemas.String(ClusterPlatform.Api.Versions.VersionCatalogStore.MaxVersionLength);
            }
        }
    }

    /// <summary>
    /// status.version (versions as the catalog bounds them, HyperShift's states, the history a report
    /// may carry), the upgrade list (at most the catalog's list), and the refusals' allowedTargets.
    /// </summary>
    private static void Upgrades(OpenApiDocument document)
    {
        const int versionLength = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxVersionLength;
        var versionPattern = OpenApiSchemas.Ecma(VersionReports.VersionPattern);
        void Version(OpenApiSchema property)
        {
            property.MaxLength = versionLength;
            property.Pattern = versionPattern;
        }

        var status = document.Component(nameof(VersionStatus));
        Version(status.Property("current"));
        Version(status.Property("desired"));
        status.Property("history").MaxItems = VersionReports.MaxHistory;
        var entry = document.Component(nameof(VersionHistoryEntry));
        Version(entry.Property("version"));
        entry.SetProperty("state", OpenApiSchemas.Enum(VersionReports.States));

        var list = document.Component(nameof(ClusterUpgradeList));
        Version(list.Property("current"));
        list.SetProperty("channelGroup", OpenApiSchemas.Enum(ClusterPlatform.Api.Versions.ChannelGroups.All));
        list.Property("items").MaxItems = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxListed;
        var upgrade = document.Component(nameof(ClusterUpgrade));
        Version(upgrade.Property("version"));
        upgrade.SetProperty("type", OpenApiSchemas.Enum([ClusterPlatform.Api.Versions.ReleaseChecks.Patch, ClusterPlatform.Api.Versions.ReleaseChecks.Minor]));
        upgrade.Property("releaseImage").MaxLength = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxReleaseImageLength;

        document.Component("ProblemDetails").SetProperty("allowedTargets", new OpenApiSchema
        {
            Type = JsonSchemaType.Array,
            MaxItems = ClusterPlatform.Api.Versions.VersionCatalogStore.MaxListed,
            Items = OpenApiSchemas.String(versionLength, versionPattern),
            Description = "On an upgrade's refusal (`upgrade-in-progress`, `version-downgrade`, `version-not-an-upgrade`, `version-disabled`): the versions the cluster can be upgraded to now, oldest first.",
        });
    }

    /// <summary>Generations, audit ids and fleet counters: PostgreSQL <c>bigint</c>/<c>integer</c> columns that never go below 0.</summary>
    private static void Counters(OpenApiDocument document)
    {
        foreach (var (schema, property) in new[]
                 {
                     (nameof(Cluster), "generation"), (nameof(NodePool), "generation"), (nameof(AuditEntry), "generation"), (nameof(AuditEntry), "id"),
                     (nameof(ResourceStatus), "observedGeneration"), (nameof(ControllerStatus), "observedGeneration"), (nameof(Condition), "observedGeneration"),
                 })
        {
            document.Component(schema).Property(property).Range(0, long.MaxValue);
        }

        document.Component(nameof(StatusReportRequest)).Property("observedGeneration").Range(1, long.MaxValue);
        document.Component(nameof(StatusReportRequest)).Property("version").Range(0, long.MaxValue);
        document.Component(nameof(ControllerStatus)).Property("version").Range(1, long.MaxValue);
        document.Component(nameof(ManagementCluster)).Property("capacity").Range(0, FleetRequests.MaxCapacity);
        document.Component(nameof(ManagementCluster)).Property("load").Range(0, int.MaxValue);
    }
}
