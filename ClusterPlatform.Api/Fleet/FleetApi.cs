using ClusterPlatform.Api.Http;
using ClusterPlatform.Api.Endpoints;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Fleet;

/// <summary>
/// What a fleet handler works with, bound as one <c>[AsParameters]</c> value (as <see cref="ResourceServices"/> is for clusters).
/// The resource store only answers which region a cluster to place is in.
/// </summary>
internal readonly record struct FleetServices(HttpContext Http, Caller Caller, FleetStore Fleet, ResourceStore Store, CancellationToken Cancellation);

/// <summary>
/// <c>/api/v1/management-clusters</c>: the fleet (admins edit it, controllers read it) and the
/// placements the placement controller takes and releases on it. The contract is docs/api.md "Endpoints"; the choices behind it, docs/api-decisions.md.
/// </summary>
internal static class FleetApi
{
    public static RouteGroupBuilder MapFleetApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/management-clusters").WithTags("ManagementClusters");
        group.WithRequestTimeout(EndpointGroups.Fleet);
        group.MapGet("/", ListManagementClusters).WithName(nameof(ListManagementClusters)).WithSummary("List the management-cluster fleet")
            .Controllers();
        group.MapPut("/{name}", PutManagementCluster).WithName(nameof(PutManagementCluster)).WithSummary("Create or replace a management cluster (admins)")
            .Accepts<ManagementClusterRequest>(RequestBody.Json)
            .Admins([.. EndpointConventions.BodyProblems, StatusCodes.Status503ServiceUnavailable]).ProducesValidationProblem();
        group.MapPost("/placements/{clusterId:guid}", PlaceCluster).WithName(nameof(PlaceCluster))
            .WithSummary("Place a cluster on the least loaded management cluster of its region, or return its placement")
            .Controllers(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status503ServiceUnavailable);
        group.MapDelete("/placements/{clusterId:guid}", ReleaseCluster).WithName(nameof(ReleaseCluster))
            .WithSummary("Release a cluster's placement and its capacity").Controllers(StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    private static async Task<Ok<ManagementClusterList>> ListManagementClusters([AsParameters] FleetServices services) =>
        TypedResults.Ok(new ManagementClusterList("ManagementClusterList", await services.Fleet.ListAsync(services.Cancellation)));

    private static async Task<Ok<ManagementCluster>> PutManagementCluster(string name, [AsParameters] FleetServices services, [FromServices] FleetRequests requests)
    {
        var body = await RequestBody.ReadJsonAsync(services.Http.Request, RequestBody.Json, services.Cancellation);
        var request = requests.ParsePut(name, body.Root);
        return TypedResults.Ok(await services.Fleet.UpsertAsync(name, request, services.Cancellation));
    }

    private static async Task<Ok<ManagementCluster>> PlaceCluster(Guid clusterId, [AsParameters] FleetServices services)
    {
        RequirePlacementController(services.Caller);
        var region = (await ClustersApi.Handlers.FindAnyAsync(clusterId, services.Store, services.Cancellation)).Spec.Gcp.Region;
        var placed = await services.Fleet.PlaceAsync(clusterId, region, services.Cancellation)
            ?? throw ApiException.Conflict("no-capacity", $"No management cluster in {region} has room for another hosted control plane.");
        return TypedResults.Ok(placed);
    }

    private static async Task<NoContent> ReleaseCluster(Guid clusterId, [AsParameters] FleetServices services)
    {
        RequirePlacementController(services.Caller);
        await services.Fleet.ReleaseAsync(clusterId, services.Cancellation);
        return TypedResults.NoContent();
    }

    private static void RequirePlacementController(Caller caller)
    {
        if (!caller.IsAdmin && caller.Subject != ControllerNames.Placement)
        {
            throw ApiException.Forbidden("controller-mismatch", "Only the placement controller places clusters.");
        }
    }
}
