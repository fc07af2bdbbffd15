using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using static ClusterPlatform.Api.OpenApi.OpenApiSchemas;

namespace ClusterPlatform.Api.OpenApi;

/// <summary>
/// Every rule the Api's validation enforces on a field, written into the component schemas: patterns,
/// lengths, ranges, item and label counts, enums. The numbers and patterns are read from the
/// validation code's constants (one home for each rule); what JSON Schema cannot say (CIDR overlap,
/// byte sizes, one of replicas and autoscaling) is in the descriptions. Requests and responses share
/// these schemas, and what the Api returns always passes its own rules.
/// </summary>
internal static class SchemaRules
{
    public static OpenApiOptions AddSchemaRules(this OpenApiOptions options) =>
        options.AddDocumentTransformer((document, context, _) =>
        {
            var platform = context.ApplicationServices.GetRequiredService<IOptions<PlatformOptions>>().Value;
            Closed(document);
            Clusters(document, platform);
            NodePools(document, platform);
            Statuses(document);
            Fleet(document, platform);
            return Task.CompletedTask;
        });

    /// <summary>
    /// docs/api.md: "Any field this page does not define is rejected (400), not ignored". The bodies and
    /// the specs they carry are closed; responses hold exactly these fields too.
    /// </summary>
    private static void Closed(OpenApiDocument document)
    {
        foreach (var type in new[]
                 {
                     nameof(ClusterCreateRequest), nameof(ClusterUpdateRequest), nameof(ClusterSpec), nameof(GcpSpec), nameof(ReleaseSpec),
                     nameof(NetworkingSpec), nameof(DnsSpec), nameof(NodePoolCreateRequest), nameof(NodePoolUpdateRequest), nameof(NodePoolSpec),
                     nameof(AutoscalingSpec), nameof(StatusReportRequest), nameof(ConditionReport), nameof(ManagementClusterRequest),
                 })
        {
            document.Component(type).AdditionalPropertiesAllowed = false;
        }
    }

    private static void Clusters(OpenApiDocument document, PlatformOptions platform)
    {
        document.Component(nameof(Cluster)).SetProperty("name", Name(ClusterRequests.MaxNameLength));
        document.Component(nameof(ClusterCreateRequest)).SetProperty("name", Name(ClusterRequests.MaxNameLength));
        // A PUT or merge patch may repeat the name unchanged (it is immutable).
        document.Component(nameof(ClusterUpdateRequest)).SetProperty("name", Name(ClusterRequests.MaxNameLength, Immutable));
        foreach (var type in new[] { nameof(Cluster), nameof(ClusterCreateRequest), nameof(ClusterUpdateRequest) })
        {
            Labels(document.Component(type).Property("labels"));
        }

        var gcp = document.Component(nameof(GcpSpec));
        gcp.SetProperty("projectId", String(30, Ecma(FieldRules.ProjectIdPattern), 6));
        gcp.SetProperty("region", Enum(platform.SupportedRegions));
        var gcpName = Ecma(FieldRules.GcpResourceNamePattern);
        Constrain(gcp.Property("network"), 63, gcpName);
        Constrain(gcp.Property("subnet"), 63, gcpName);
        // The infra id's three rules in one pattern: not the reserved prefix, no "--", and the shape.
        Constrain(gcp.Property("infraId"), 13,
            $"^(?!{FieldRules.ReservedInfraIdPrefix})(?!.*--){Ecma(FieldRules.InfraIdLengthPattern)[1..]}");

        var release = document.Component(nameof(ReleaseSpec));
        release.SetProperty("version", Version(platform));
        release.Property("version").Description += " On create it must be enabled in the channel group (`GET /api/v1/versions`); "
            + "a change is an upgrade along an update-graph edge from `status.version.current` (`GET /api/v1/clusters/{id}/upgrades`).";
        var channelGroup = Enum(Versions.ChannelGroups.All);
        channelGroup.Description = "The channel group the version and its upgrades come from. A create that leaves it out gets `stable`, a replace keeps the cluster's; responses always carry it.";
        release.SetProperty("channelGroup", channelGroup);

        var networking = document.Component(nameof(NetworkingSpec));
        networking.Description = "OpenShift's defaults fill in what a request leaves out (10.0.0.0/16, 10.128.0.0/14, 172.30.0.0/16). "
            + "Network addresses (no bits after the prefix); machine /8–/24, pod and service /8–/20; the three must not overlap.";
        foreach (var (field, maxPrefix) in new[] { ("machineCidr", 24), ("podCidr", 20), ("serviceCidr", 20) })
        {
            networking.SetProperty(field, String(18, Cidr(maxPrefix)));
        }

        var label = FieldRules.DnsLabelPattern;
        document.Component(nameof(DnsSpec)).SetProperty("baseDomain",
            String(FieldRules.MaxDnsSubdomainLength, $"^{Body(label)}(\\.{Body(label)})+$"));
    }

    private static void NodePools(OpenApiDocument document, PlatformOptions platform)
    {
        document.Component(nameof(NodePool)).SetProperty("name", Name(NodePoolRequests.MaxNameLength));
        document.Component(nameof(NodePoolCreateRequest)).SetProperty("name", Name(NodePoolRequests.MaxNameLength));
        var update = document.Component(nameof(NodePoolUpdateRequest));
        update.SetProperty("name", Name(NodePoolRequests.MaxNameLength, Immutable));
        update.SetProperty("clusterId", new OpenApiSchema
        {
            Type = JsonSchemaType.String, Format = "uuid", Description = Immutable,
        });
        foreach (var type in new[] { nameof(NodePool), nameof(NodePoolCreateRequest), nameof(NodePoolUpdateRequest) })
        {
            Labels(document.Component(type).Property("labels"));
        }

        var spec = document.Component(nameof(NodePoolSpec));
        spec.Description = "Exactly one of `replicas` and `autoscaling` is set (a merge patch that switches sets the other to `null`).";
        spec.Property("replicas").Range(0, NodePoolRequests.MaxReplicas);
        var disk = spec.Property("diskSizeGb");
        disk.Range(NodePoolRequests.MinDiskSizeGb, NodePoolRequests.MaxDiskSizeGb);
        disk.Default = NodePoolRequests.DefaultDiskSizeGb;
        // The pattern has no length of its own; the body limit is the only bound.
        spec.SetProperty("machineType", String(RequestBody.MaxBytes, Ecma(FieldRules.MachineTypePattern)));
        spec.SetProperty("version", Version(platform));

        var autoscaling = document.Component(nameof(AutoscalingSpec));
        autoscaling.Description = "min ≤ max.";
        autoscaling.Property("min").Range(1, NodePoolRequests.MaxReplicas);
        autoscaling.Property("max").Range(1, NodePoolRequests.MaxReplicas);
    }

    private static void Statuses(OpenApiDocument document)
    {
        var reason = String(StatusReportRequests.MaxReasonLength, Ecma(StatusReportRequests.ReasonPattern));
        var message = String(StatusReportRequests.MaxMessageLength);
        var status = Enum(StatusReportRequests.Statuses);

        var report = document.Component(nameof(StatusReportRequest));
        report.SetProperty("controller", Enum(ControllerNames.All));
        report.Property("observedGeneration").Minimum = "1";
        report.Property("version").Description = "The `version` of this controller's entry in the status the report was made from; 0 when it had none. "
            + "A report made from another version than the stored one is refused with 409 `report-conflict`: re-read and reconcile again. "
            + "Left out, the report is unconditional.";
        var conditions = report.Property("conditions");
        conditions.MinItems = 1;
        conditions.MaxItems = StatusReportRequests.ConditionTypes.Count;
        conditions.Description = "Each type at most once; `Available` is required.";
        report.SetProperty("data", Data($"At most {StatusReportRequests.MaxDataBytes} bytes of JSON."));

        var conditionReport = document.Component(nameof(ConditionReport));
        conditionReport.SetProperty("type", Enum(StatusReportRequests.ConditionTypes));
        conditionReport.SetProperty("status", status);
        conditionReport.SetProperty("reason", reason);
        conditionReport.SetProperty("message", message);

        var condition = document.Component(nameof(Condition));
        condition.SetProperty("status", status);
        condition.SetProperty("reason", reason);
        // Aggregated conditions carry messages naming controllers, so no request limit applies to them.
        condition.SetProperty("type", String(64));

        var entry = document.Component(nameof(ControllerStatus));
        entry.SetProperty("data", Data("What the controller reported, or `null`."));
        entry.Property("version").Description = "1 with the controller's first stored report, one more with each stored report after; "
            + "a status report names it as `version` (optimistic concurrency, as Kubernetes' `resourceVersion`).";
        document.Component(nameof(ResourceStatus)).SetProperty("phase", Enum(Phases.All));
    }

    private static void Fleet(OpenApiDocument document, PlatformOptions platform)
    {
        var request = document.Component(nameof(ManagementClusterRequest));
        request.SetProperty("region", Enum(platform.SupportedRegions));
        request.Property("capacity").Range(0, FleetRequests.MaxCapacity);
        // No length of its own: the 64 KiB body limit bounds it.
        request.SetProperty("apiEndpoint", new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Pattern = "^https://", MaxLength = RequestBody.MaxBytes });
        request.SetProperty("ingressTarget", String(FieldRules.MaxDnsSubdomainLength, $"^{Body(FieldRules.DnsLabelPattern)}(\\.{Body(FieldRules.DnsLabelPattern)})*$"));
    }

    /// <summary>
    /// Kubernetes label syntax: at most 64, keys an optional DNS-subdomain prefix and '/' then a name,
    /// values empty or a name. Applied to the generated map schema, which keeps its own nullability.
    /// </summary>
    private static void Labels(OpenApiSchema labels)
    {
        var name = Body(FieldRules.LabelNamePattern);
        var dns = Body(FieldRules.DnsLabelPattern);
        labels.MaxProperties = FieldRules.MaxLabels;
        labels.PropertyNames = String(FieldRules.MaxDnsSubdomainLength + 1 + FieldRules.MaxLabelNameLength,
            $"^({dns}(\\.{dns})*/)?{name}$", 1, "An optional DNS-subdomain prefix (at most 253 characters) and '/', then a name of at most 63 characters.");
        labels.AdditionalProperties = String(FieldRules.MaxLabelNameLength, $"^({name})?$");
    }

    private static OpenApiSchema Version(PlatformOptions platform) => String(14, Ecma(FieldRules.VersionPattern),
        description: $"MAJOR.MINOR.PATCH; the supported MAJOR.MINOR streams: {string.Join(", ", platform.SupportedVersions)}.");

    /// <summary>A JSON object or null: a status report's free-form <c>data</c>.</summary>
    private static OpenApiSchema Data(string description) => new()
    {
        Type = JsonSchemaType.Object | JsonSchemaType.Null,
        Description = description,
    };

    /// <summary>Dotted decimal without leading zeros, and a prefix from /8 to <paramref name="maxPrefix"/>.</summary>
    private static string Cidr(int maxPrefix)
    {
        const string octet = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
        var prefixes = string.Join('|', Enumerable.Range(8, maxPrefix - 7));
        return $"^{octet}(\\.{octet}){{3}}/({prefixes})$";
    }

    private static void Constrain(OpenApiSchema schema, int maxLength, string pattern)
    {
        schema.MaxLength = maxLength;
        schema.Pattern = pattern;
    }

    private const string Immutable = "Immutable: an update may repeat the current value, and may leave it out.";

    /// <summary>docs/api.md's resource names.</summary>
    public static OpenApiSchema Name(int maxLength, string? description = null) =>
        String(maxLength, Ecma(FieldRules.ResourceNamePattern), FieldRules.MinNameLength, description);
}
