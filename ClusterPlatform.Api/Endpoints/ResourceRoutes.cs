using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>
/// How a kind's shared routes are described in the OpenAPI document. Operation ids and tags follow
/// from the kind's name (<c>ListClusters</c>, <c>GetNodePool</c>, tag <c>NodePools</c>), summaries from
/// <paramref name="Noun"/> except the two that say more.
/// </summary>
/// <param name="TimeoutGroup">The <see cref="Http.EndpointGroups"/> entry whose request timeout the routes take.</param>
/// <param name="Noun">The kind in prose, lower case: "node pool".</param>
/// <param name="CreateBody">The request body of a create, for the document.</param>
/// <param name="UpdateBody">The request body of a replace and a merge patch, for the document.</param>
/// <param name="ListsByCluster">Whether the list takes <c>?clusterId=</c>.</param>
internal sealed record ResourceRoutes(
    string TimeoutGroup, string Noun, string CreateSummary, string DeleteSummary, Type CreateBody, Type UpdateBody, bool ListsByCluster);

internal static class ResourceEndpoints
{
    /// <summary>
    /// Maps the routes every resource kind has (list, create, get, replace, merge patch, status report,
    /// raw statuses, delete) under the kind's path, and returns the group for the kind's own routes.
    /// </summary>
    public static RouteGroupBuilder MapResource<T, TRequests>(this IEndpointRouteBuilder app, ResourceRoutes routes, ResourceHandlers<T> handlers,
        ResourceParser<TRequests> parser)
        where TRequests : notnull
    {
        // The kind's parser is a singleton, so it is resolved once here. Handlers take the parser through
        // these lambdas, not as a parameter: a route handler's parameter typed by a type parameter makes
        // ASP.NET's route handler analyzer throw (AD0001).
        var requests = app.ServiceProvider.GetRequiredService<TRequests>();
        var (timeoutGroup, noun, createSummary, deleteSummary, createBody, updateBody, listsByCluster) = routes;
        var name = handlers.Kind.Name;
        var group = app.MapGroup(handlers.Kind.PathBase).WithTags($"{name}s");
        group.WithRequestTimeout(timeoutGroup);

        // Node pools can be listed by their cluster; clusters have nothing above them to filter by.
        Delegate listHandler = listsByCluster ? handlers.ListByClusterAsync : handlers.ListAsync;
        group.MapGet("/", listHandler).WithName($"List{name}s").WithSummary($"List {noun}s").Reads();
        group.MapPost("/", ([AsParameters] ResourceServices services) => handlers.CreateAsync(services, parser, requests))
            .WithName($"Create{name}").WithSummary(createSummary)
            .Accepts(createBody, RequestBody.Json).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status422UnprocessableEntity]);
        group.MapGet("/{id:guid}", handlers.GetAsync).WithName($"Get{name}").WithSummary($"Get a {noun}").ReadsOne();
        // 422: a change the kind's rules refuse (a cluster's upgrade off the update graph, a pool's version skew).
        group.MapPut("/{id:guid}", (Guid id, [AsParameters] ResourceServices services) => handlers.ReplaceAsync(id, services, parser, requests))
            .WithName($"Replace{name}").WithSummary($"Replace a {noun}'s labels and spec")
            .Accepts(updateBody, RequestBody.Json).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity]);
        group.MapPatch("/{id:guid}", (Guid id, [AsParameters] ResourceServices services) => handlers.PatchAsync(id, services, parser, requests))
            .WithName($"Patch{name}").WithSummary($"Merge-patch a {noun}'s labels and spec")
            .Accepts(updateBody, RequestBody.MergePatch).Writes([.. EndpointConventions.BodyProblems, StatusCodes.Status412PreconditionFailed, StatusCodes.Status422UnprocessableEntity]);
        group.MapPut("/{id:guid}/status", handlers.ReportStatusAsync).WithName($"Report{name}Status")
            .WithSummary("Report a controller's status (controllers, admins)").Accepts<Contracts.StatusReportRequest>(RequestBody.Json).Reports();
        group.MapGet("/{id:guid}/statuses", handlers.StatusesAsync).WithName($"Get{name}Statuses")
            .WithSummary("The raw per-controller status reports").Reads();
        group.MapDelete("/{id:guid}", handlers.DeleteAsync).WithName($"Delete{name}").WithSummary(deleteSummary)
            .Writes(StatusCodes.Status412PreconditionFailed);
        return group;
    }
}
