using ClusterPlatform.Api.Http;
using ClusterPlatform.Api.Configuration;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Endpoints;
using ClusterPlatform.Api.Errors;
using ClusterPlatform.Api.Identity;
using ClusterPlatform.Api.Validation;
using ClusterPlatform.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Api.Fleet;

/// <summary>
/// <c>/api/v1/management-clusters</c>: the fleet (admins edit it, controllers read it) and the
/// placements the placement controller takes and releases on it. Not in API.md; see docs/api-decisions.md.
/// </summary>
public static class FleetApi
{
    public const int MaxCapacity = 10_000;
    public const int MaxNameLength = 63;

    private static readonly string[] Fields = ["region", "capacity", "apiEndpoint", "ingressTarget"];

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

    private static async Task<Ok<ManagementClusterList>> ListManagementClusters(FleetStore fleet, CancellationToken ct) =>
        TypedResults.Ok(new ManagementClusterList("ManagementClusterList", await fleet.ListAsync(ct)));

    private static async Task<Ok<ManagementCluster>> PutManagementCluster(string name, HttpContext http, FleetStore fleet,
        IOptions<PlatformOptions> platform, CancellationToken ct)
    {
        var body = await RequestBody.ReadJsonAsync(http.Request, RequestBody.Json, ct);
        var fields = new JsonFields(new ValidationErrors());
        FieldRules.Name(name, "$.name", FieldRules.MinNameLength, MaxNameLength, fields.Errors);
        if (!fields.IsObject(body.Root, "$", Fields))
        {
            fields.Errors.ThrowIfAny();
        }

        var region = fields.String(body.Root, "region", "$", required: true);
        var capacity = fields.Int(body.Root, "capacity", "$", required: true);
        var apiEndpoint = fields.String(body.Root, "apiEndpoint", "$", required: true);
        var ingress = fields.String(body.Root, "ingressTarget", "$", required: true);
        FieldRules.Region(region, "$.region", platform.Value.SupportedRegions, fields.Errors);
        FieldRules.Range(capacity, "$.capacity", 0, MaxCapacity, fields.Errors);
        if (apiEndpoint is not null && !(Uri.TryCreate(apiEndpoint, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps))
        {
            fields.Errors.Add("$.apiEndpoint", "must be an absolute https URL");
        }

        if (ingress is not null && !FieldRules.IsDnsSubdomain(ingress))
        {
            fields.Errors.Add("$.ingressTarget", "must be a lower-case DNS name");
        }

        fields.Errors.ThrowIfAny();
        return TypedResults.Ok(await fleet.UpsertAsync(name, new ManagementClusterRequest(region!, capacity!.Value, apiEndpoint!, ingress!), ct));
    }

    private static async Task<Ok<ManagementCluster>> PlaceCluster(Guid clusterId, Caller caller, ResourceStore store, FleetStore fleet, CancellationToken ct)
    {
        RequirePlacementController(caller);
        var row = await store.FindAsync(ResourceKind.Cluster, clusterId, null, ct) ?? throw ApiException.NotFound(ResourceKind.Cluster.Name, clusterId);
        var region = ResourceMapper.ToCluster(row).Spec.Gcp.Region;
        var placed = await fleet.PlaceAsync(clusterId, region, ct)
            ?? throw ApiException.Conflict("no-capacity", $"No management cluster in {region} has room for another hosted control plane.");
        return TypedResults.Ok(placed);
    }

    private static async Task<NoContent> ReleaseCluster(Guid clusterId, Caller caller, FleetStore fleet, CancellationToken ct)
    {
        RequirePlacementController(caller);
        await fleet.ReleaseAsync(clusterId, ct);
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
