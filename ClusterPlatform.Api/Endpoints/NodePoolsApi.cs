using ClusterPlatform.Api.Http;

namespace ClusterPlatform.Api.Endpoints;

/// <summary><c>/api/v1/nodepools</c>: node pools, owned by a cluster and deleted with it.</summary>
internal static class NodePoolsApi
{
    internal static readonly ResourceHandlers<NodePool> Handlers = new(ResourceKind.NodePool, ResourceMapper.ToNodePool, ResourceJson.WriteNodePool, "NodePoolList");

    private static readonly ResourceParser<NodePoolRequests> Parser = new(NodePoolRequests.BodyFields, ParseCreate, ParseUpdate);

    private static readonly ResourceRoutes Routes = new(EndpointGroups.NodePools, "node pool", "Create a node pool in a cluster", "Delete a node pool",
        typeof(NodePoolCreateRequest), typeof(NodePoolUpdateRequest), ListsByCluster: true);

    public static RouteGroupBuilder MapNodePoolsApi(this IEndpointRouteBuilder app) => app.MapResource(Routes, Handlers, Parser);

    /// <summary>The organization is the one the parent cluster must be in (none for admins); the pool takes the cluster's.</summary>
    private static NewResource ParseCreate(NodePoolRequests requests, JsonElement body, Caller caller)
    {
        var request = requests.ParseCreate(body);
        var (labels, spec) = ResourceMapper.Stored(request.Labels, request.Spec);
        return new NewResource(Guid.CreateVersion7(), request.ClusterId, caller.WriteScope, request.Name, labels, spec, caller.Subject);
    }

    private static (string Labels, string Spec) ParseUpdate(NodePoolRequests requests, JsonElement document, ResourceRow current)
    {
        var request = requests.ParseUpdate(document, current.Name, current.ClusterId, StoredJson.Read<NodePoolSpec>(current.Spec));
        return ResourceMapper.Stored(request.Labels, request.Spec);
    }
}
