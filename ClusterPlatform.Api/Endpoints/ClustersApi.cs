using ClusterPlatform.Api.Versions;
using ClusterPlatform.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Endpoints;

/// <summary><c>/api/v1/clusters</c>: the shared resource routes, and a cluster's signing keys, audit trail and node pools.</summary>
internal static class ClustersApi
{
    internal static readonly ResourceHandlers<Cluster> Handlers = new(ResourceKind.Cluster, ResourceMapper.ToCluster, ResourceJson.WriteCluster, "ClusterList");

    private static readonly ResourceParser<ClusterRequests> Parser = new(ClusterRequests.BodyFields, ParseCreate, ParseUpdate);

    private static readonly ResourceRoutes Routes = new(EndpointGroups.Clusters, "cluster", "Create a cluster", "Delete a cluster and its node pools",
        typeof(ClusterCreateRequest), typeof(ClusterUpdateRequest), ListsByCluster: false);

    public static RouteGroupBuilder MapClustersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapResource(Routes, Handlers, Parser);
        group.MapGet("/{id:guid}/jwks", GetClusterJwks).WithName(nameof(GetClusterJwks))
            .WithSummary("The public JWKS of the cluster's service-account signing key, for `hypershift create iam gcp --oidc-jwks-file`")
            .Produces<JsonWebKeySet>(StatusCodes.Status200OK, JwkSetMediaType).Reads();
        group.MapGet("/{id:guid}/audit", GetClusterAudit).WithName(nameof(GetClusterAudit))
            .WithSummary("The audit trail of a cluster and its node pools").Reads();
        group.MapGet("/{id:guid}/upgrades", ListClusterUpgrades).WithName(nameof(ListClusterUpgrades))
            .WithSummary("The versions the cluster can be upgraded to from the version it runs").Reads();
        group.MapGet("/{id:guid}/nodepools", ListClusterNodePools).WithName(nameof(ListClusterNodePools))
            .WithSummary("List a cluster's node pools").Reads();
        return group;
    }

    private static async Task<NewResource> ParseCreate(ClusterRequests requests, JsonElement body, Caller caller, CancellationToken ct)
    {
        // The id comes first: a create that names no infra id gets one derived from it.
        var id = Guid.CreateVersion7();
        var request = requests.ParseCreate(body, id);
        await requests.Releases.CheckCreateAsync(request.Spec.Release, ct);
        var (labels, spec) = ResourceMapper.Stored(request.Labels, request.Spec);
        return new NewResource(id, null, caller.OwningOrganization, request.Name, labels, spec, caller.Subject);
    }

    /// <summary>A replace or patch of the locked <paramref name="current"/> row; a version change is an upgrade from the version it runs.</summary>
    private static async Task<(string Labels, string Spec)> ParseUpdate(ClusterRequests requests, JsonElement document, ResourceRow current, CancellationToken ct)
    {
        var currentSpec = StoredJson.Read<ClusterSpec>(current.Spec);
        var request = requests.ParseUpdate(document, current.Name, currentSpec);
        var running = StoredJson.Read<ResourceStatus>(current.Status).Version?.Current;
        await requests.Releases.CheckChangeAsync(currentSpec.Release, request.Spec.Release, running, ct);
        return ResourceMapper.Stored(request.Labels, request.Spec);
    }

    /// <summary>The upgrades the cluster can take now: who may read the cluster may read them.</summary>
    private static async Task<Ok<ClusterUpgradeList>> ListClusterUpgrades(Guid id, [AsParameters] ResourceServices services, ReleaseChecks releases)
    {
        var cluster = await Handlers.GetVisibleAsync(id, services);
        return TypedResults.Ok(await releases.UpgradesAsync(cluster.Status.Version?.Current, cluster.Spec.Release.ChannelGroup, services.Cancellation));
    }

    /// <summary>RFC 7517's media type of a JWK Set.</summary>
    private const string JwkSetMediaType = "application/jwk-set+json";

    /// <summary>
    /// Exactly the <c>jwks</c> object environment validation reported, so <c>curl … &gt; jwks.json</c> gives
    /// the file workload identity federation is created with. Only the public keys are ever here: the
    /// private key stays on the management cluster.
    /// </summary>
    private static async Task<IResult> GetClusterJwks(Guid id, [AsParameters] ResourceServices services)
    {
        await Handlers.RequireVisibleAsync(id, services);
        var jwks = await services.Statuses.SigningKeySetAsync(id, services.Cancellation) ?? throw ApiException.NotFound("signing-key-not-ready",
            $"Cluster {id} has no service-account signing key yet: {ControllerNames.EnvironmentValidation} reports it once it has made one.");
        return TypedResults.Text(jwks, JwkSetMediaType);
    }

    private static async Task<OkRows<NodePool>> ListClusterNodePools(Guid id,
        [AsParameters] ResourceServices services, [AsParameters] PageParameters page)
    {
        // The cluster must be visible to the caller; another organization's cluster is a 404 like any other.
        await Handlers.RequireVisibleAsync(id, services);
        return await NodePoolsApi.Handlers.ListInAsync(id, services, page);
    }

    private static async Task<Ok<AuditList>> GetClusterAudit(Guid id, [AsParameters] ResourceServices services,
        [FromQuery] int? limit, [FromQuery(Name = "continue")] string? continueToken)
    {
        // Who may read the cluster may read its history: an owner needs to see who changed what. Only
        // admins read it after a hard delete, when no row is left to say whose cluster it was.
        if (!services.Caller.IsAdmin)
        {
            await Handlers.RequireVisibleAsync(id, services);
        }

        var page = ListQuery.Parse(null, null, limit, null, null, null).Limit;
        var after = continueToken is null ? 0 : AuditCursor.Decode(continueToken);
        var (items, next) = await services.Statuses.AuditAsync(id, after, page, services.Cancellation);
        // The trail outlives a hard-deleted cluster; only a cluster that never existed is a 404.
        if (items.Count == 0 && after == 0)
        {
            _ = await Handlers.FindAnyAsync(id, services.Store, services.Cancellation);
        }

        return TypedResults.Ok(new AuditList("AuditList", items, next is { } n ? AuditCursor.Encode(n) : null));
    }
}
