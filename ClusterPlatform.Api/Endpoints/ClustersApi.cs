using ClusterPlatform.Api.Http;
using ClusterPlatform.Contracts;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Identity;
using ClusterPlatform.Api.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Endpoints;

/// <summary><c>/api/v1/clusters</c>: the cluster resource of API.md (status reports come with the status issue).</summary>
public static class ClustersApi
{
    private static readonly ResourceHandlers<Cluster> Handlers = new(ResourceKind.Cluster, ResourceMapper.ToCluster, c => c.Href, "ClusterList");

    public static RouteGroupBuilder MapClustersApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ResourceKind.Cluster.PathBase).WithTags("Clusters");
        group.WithRequestTimeout(EndpointGroups.Clusters);

        group.MapGet("/", ListClusters).WithName(nameof(ListClusters)).WithSummary("List clusters").Reads();
        group.MapPost("/", CreateCluster).WithName(nameof(CreateCluster)).WithSummary("Create a cluster")
            .Accepts<ClusterCreateRequest>(RequestBody.Json).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status422UnprocessableEntity]);
        group.MapGet("/{id:guid}", GetCluster).WithName(nameof(GetCluster)).WithSummary("Get a cluster").ReadsOne();
        group.MapPut("/{id:guid}", ReplaceCluster).WithName(nameof(ReplaceCluster)).WithSummary("Replace a cluster's labels and spec")
            .Accepts<ClusterUpdateRequest>(RequestBody.Json).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status412PreconditionFailed]);
        group.MapPatch("/{id:guid}", PatchCluster).WithName(nameof(PatchCluster)).WithSummary("Merge-patch a cluster's labels and spec")
            .Accepts<ClusterUpdateRequest>(RequestBody.MergePatch).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status412PreconditionFailed]);
        group.MapPut("/{id:guid}/status", ReportClusterStatus).WithName(nameof(ReportClusterStatus))
            .WithSummary("Report a controller's status (controllers, admins)").Accepts<StatusReportRequest>(RequestBody.Json).Reports();
        group.MapGet("/{id:guid}/statuses", GetClusterStatuses).WithName(nameof(GetClusterStatuses))
            .WithSummary("The raw per-controller status reports").Reads();
        group.MapGet("/{id:guid}/jwks", GetClusterJwks).WithName(nameof(GetClusterJwks))
            .WithSummary("The public JWKS of the cluster's service-account signing key, for `hypershift create iam gcp --oidc-jwks-file`")
            .Produces<JsonWebKeySet>(StatusCodes.Status200OK, JwkSetMediaType).Reads();
        group.MapDelete("/{id:guid}", DeleteCluster).WithName(nameof(DeleteCluster)).WithSummary("Delete a cluster and its node pools")
            .Writes(StatusCodes.Status412PreconditionFailed);
        group.MapGet("/{id:guid}/audit", GetClusterAudit).WithName(nameof(GetClusterAudit))
            .WithSummary("The audit trail of a cluster and its node pools (admins)").Admins(StatusCodes.Status400BadRequest, StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/nodepools", ListClusterNodePools).WithName(nameof(ListClusterNodePools))
            .WithSummary("List a cluster's node pools").Reads();
        return group;
    }

    private static Task<Ok<ResourceList<Cluster>>> ListClusters(Caller caller, ResourceStore store, [FromQuery] int? limit,
        [FromQuery(Name = "continue")] string? continueToken, [FromQuery] string? labelSelector, [FromQuery] string? phase, CancellationToken ct) =>
        Handlers.ListAsync(ListQuery.Parse(caller.ReadScope, null, limit, continueToken, labelSelector, phase), store, ct);

    private static async Task<Created<Cluster>> CreateCluster(HttpContext http, Caller caller, ClusterRequests requests, ResourceStore store, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        // The id comes first: a create that names no infra id gets one derived from it.
        var id = Guid.CreateVersion7();
        var request = requests.ParseCreate(body.Root, id);
        var resource = new NewResource(id, null, caller.OwningOrganization, request.Name,
            StoredJson.Write(request.Labels), StoredJson.Write(request.Spec), caller.Subject);
        return await Handlers.CreateAsync(http, body, caller, resource, store, ct);
    }

    private static Task<Results<Ok<Cluster>, StatusCodeHttpResult>> GetCluster(Guid id, Caller caller, HttpContext http, ResourceStore store, CancellationToken ct) =>
        Handlers.GetAsync(id, caller, http, store, ct);

    private static async Task<Ok<Cluster>> ReplaceCluster(Guid id, HttpContext http, Caller caller, ClusterRequests requests, ResourceStore store, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        return await Handlers.UpdateAsync(id, http, caller, store, current => Serialize(requests.ParseUpdate(body.Root, current.Name, CurrentSpec(current))), ct);
    }

    private static async Task<Ok<Cluster>> PatchCluster(Guid id, HttpContext http, Caller caller, ClusterRequests requests, ResourceStore store, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.MergePatch, ct);
        return await Handlers.UpdateAsync(id, http, caller, store, current =>
            Serialize(requests.ParseUpdate(MergePatch.Apply(ResourceMapper.UserDocument(current), body.Root, ClusterRequests.BodyFields), current.Name, CurrentSpec(current))), ct);
    }

    private static Task<Results<Accepted<Cluster>, NoContent>> DeleteCluster(Guid id, [FromQuery] bool? force, [FromQuery] string? reason,
        HttpContext http, Caller caller, ResourceStore store, CancellationToken ct) =>
        Handlers.DeleteAsync(id, force, reason, http, caller, store, ct);

    private static Task<Ok<ResourceStatus>> ReportClusterStatus(Guid id, HttpContext http, Caller caller, StatusStore statuses, CancellationToken ct) =>
        Handlers.ReportStatusAsync(id, http, caller, statuses, ct);

    private static Task<Ok<StatusReportList>> GetClusterStatuses(Guid id, Caller caller, ResourceStore store, StatusStore statuses, CancellationToken ct) =>
        Handlers.StatusesAsync(id, caller, store, statuses, ct);

    /// <summary>RFC 7517's media type of a JWK Set.</summary>
    private const string JwkSetMediaType = "application/jwk-set+json";

    /// <summary>
    /// Exactly the <c>jwks</c> object environment validation reported, so <c>curl … &gt; jwks.json</c> gives
    /// the file workload identity federation is created with. Only the public keys are ever here: the
    /// private key stays on the management cluster.
    /// </summary>
    private static async Task<IResult> GetClusterJwks(Guid id, Caller caller, ResourceStore store, StatusStore statuses, CancellationToken ct)
    {
        _ = await store.FindAsync(ResourceKind.Cluster, id, caller.ReadScope, ct) ?? throw Errors.ApiException.NotFound(ResourceKind.Cluster.Name, id);
        var jwks = await statuses.SigningKeySetAsync(id, ct) ?? throw Errors.ApiException.NotFound("signing-key-not-ready",
            $"Cluster {id} has no service-account signing key yet: {ControllerNames.EnvironmentValidation} reports it once it has made one.");
        return TypedResults.Text(jwks, JwkSetMediaType);
    }

    private static async Task<Ok<ResourceList<NodePool>>> ListClusterNodePools(Guid id, Caller caller, ResourceStore store, [FromQuery] int? limit,
        [FromQuery(Name = "continue")] string? continueToken, [FromQuery] string? labelSelector, [FromQuery] string? phase, CancellationToken ct)
    {
        // The cluster must be visible to the caller; another organization's cluster is a 404 like any other.
        _ = await store.FindAsync(ResourceKind.Cluster, id, caller.ReadScope, ct) ?? throw Errors.ApiException.NotFound(ResourceKind.Cluster.Name, id);
        return await NodePoolsApi.Handlers.ListAsync(ListQuery.Parse(caller.ReadScope, id, limit, continueToken, labelSelector, phase), store, ct);
    }

    private static async Task<Ok<AuditList>> GetClusterAudit(Guid id, StatusStore statuses, ResourceStore store, [FromQuery] int? limit,
        [FromQuery(Name = "continue")] string? continueToken, CancellationToken ct)
    {
        var page = ListQuery.Parse(null, null, limit, null, null, null).Limit;
        var after = continueToken is null ? 0 : AuditCursor.Decode(continueToken);
        var (items, next) = await statuses.AuditAsync(id, after, page, ct);
        // The trail outlives a hard-deleted cluster; only a cluster that never existed is a 404.
        if (items.Count == 0 && after == 0 && await store.FindAsync(ResourceKind.Cluster, id, null, ct) is null)
        {
            throw Errors.ApiException.NotFound(ResourceKind.Cluster.Name, id);
        }

        return TypedResults.Ok(new AuditList("AuditList", items, next is { } n ? AuditCursor.Encode(n) : null));
    }

    private static ClusterSpec CurrentSpec(ResourceRow current) => StoredJson.Read<ClusterSpec>(current.Spec);

    private static (string Labels, string Spec) Serialize(ClusterUpdateRequest request) =>
        (StoredJson.Write(request.Labels), StoredJson.Write(request.Spec));
}
