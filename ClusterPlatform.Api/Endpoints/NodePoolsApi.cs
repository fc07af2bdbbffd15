using ClusterPlatform.Api.Http;
using ClusterPlatform.Contracts;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Identity;
using ClusterPlatform.Api.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Endpoints;

/// <summary><c>/api/v1/nodepools</c>: node pools, owned by a cluster and deleted with it.</summary>
public static class NodePoolsApi
{
    internal static readonly ResourceHandlers<NodePool> Handlers = new(ResourceKind.NodePool, ResourceMapper.ToNodePool, p => p.Href, "NodePoolList");

    public static RouteGroupBuilder MapNodePoolsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup(ResourceKind.NodePool.PathBase).WithTags("NodePools");
        group.WithRequestTimeout(EndpointGroups.NodePools);

        group.MapGet("/", ListNodePools).WithName(nameof(ListNodePools)).WithSummary("List node pools").Reads();
        group.MapPost("/", CreateNodePool).WithName(nameof(CreateNodePool)).WithSummary("Create a node pool in a cluster")
            .Accepts<NodePoolCreateRequest>(RequestBody.Json).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status422UnprocessableEntity]);
        group.MapGet("/{id:guid}", GetNodePool).WithName(nameof(GetNodePool)).WithSummary("Get a node pool").ReadsOne();
        group.MapPut("/{id:guid}", ReplaceNodePool).WithName(nameof(ReplaceNodePool)).WithSummary("Replace a node pool's labels and spec")
            .Accepts<NodePoolUpdateRequest>(RequestBody.Json).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status412PreconditionFailed]);
        group.MapPatch("/{id:guid}", PatchNodePool).WithName(nameof(PatchNodePool)).WithSummary("Merge-patch a node pool's labels and spec")
            .Accepts<NodePoolUpdateRequest>(RequestBody.MergePatch).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status412PreconditionFailed]);
        group.MapPut("/{id:guid}/status", ReportNodePoolStatus).WithName(nameof(ReportNodePoolStatus))
            .WithSummary("Report a controller's status (controllers, admins)").Accepts<StatusReportRequest>(RequestBody.Json).Reports();
        group.MapGet("/{id:guid}/statuses", GetNodePoolStatuses).WithName(nameof(GetNodePoolStatuses))
            .WithSummary("The raw per-controller status reports").Reads();
        group.MapDelete("/{id:guid}", DeleteNodePool).WithName(nameof(DeleteNodePool)).WithSummary("Delete a node pool")
            .Writes(StatusCodes.Status412PreconditionFailed);
        return group;
    }

    private static Task<Ok<ResourceList<NodePool>>> ListNodePools(Caller caller, ResourceStore store, [FromQuery] Guid? clusterId, [FromQuery] int? limit,
        [FromQuery(Name = "continue")] string? continueToken, [FromQuery] string? labelSelector, [FromQuery] string? phase, CancellationToken ct) =>
        Handlers.ListAsync(ListQuery.Parse(caller.ReadScope, clusterId, limit, continueToken, labelSelector, phase), store, ct);

    private static async Task<Created<NodePool>> CreateNodePool(HttpContext http, Caller caller, NodePoolRequests requests, ResourceStore store, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        var request = requests.ParseCreate(body.Root);
        var resource = new NewResource(Guid.CreateVersion7(), request.ClusterId, caller.WriteScope, request.Name,
            StoredJson.Write(request.Labels), StoredJson.Write(request.Spec), caller.Subject);
        return await Handlers.CreateAsync(http, body, caller, resource, store, ct);
    }

    private static Task<Results<Ok<NodePool>, StatusCodeHttpResult>> GetNodePool(Guid id, Caller caller, HttpContext http, ResourceStore store, CancellationToken ct) =>
        Handlers.GetAsync(id, caller, http, store, ct);

    private static async Task<Ok<NodePool>> ReplaceNodePool(Guid id, HttpContext http, Caller caller, NodePoolRequests requests, ResourceStore store, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        return await Handlers.UpdateAsync(id, http, caller, store, current =>
            Serialize(requests.ParseUpdate(body.Root, current.Name, current.ClusterId)), ct);
    }

    private static async Task<Ok<NodePool>> PatchNodePool(Guid id, HttpContext http, Caller caller, NodePoolRequests requests, ResourceStore store, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.MergePatch, ct);
        return await Handlers.UpdateAsync(id, http, caller, store, current =>
            Serialize(requests.ParseUpdate(MergePatch.Apply(ResourceMapper.UserDocument(current), body.Root, NodePoolRequests.BodyFields), current.Name, current.ClusterId)), ct);
    }

    private static Task<Results<Accepted<NodePool>, NoContent>> DeleteNodePool(Guid id, [FromQuery] bool? force, [FromQuery] string? reason,
        HttpContext http, Caller caller, ResourceStore store, CancellationToken ct) =>
        Handlers.DeleteAsync(id, force, reason, http, caller, store, ct);

    private static Task<Ok<ResourceStatus>> ReportNodePoolStatus(Guid id, HttpContext http, Caller caller, StatusStore statuses, CancellationToken ct) =>
        Handlers.ReportStatusAsync(id, http, caller, statuses, ct);

    private static Task<Ok<StatusReportList>> GetNodePoolStatuses(Guid id, Caller caller, ResourceStore store, StatusStore statuses, CancellationToken ct) =>
        Handlers.StatusesAsync(id, caller, store, statuses, ct);

    private static (string Labels, string Spec) Serialize(NodePoolUpdateRequest request) =>
        (StoredJson.Write(request.Labels), StoredJson.Write(request.Spec));
}
