using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>
/// What a cluster or node pool handler works with, bound as one <c>[AsParameters]</c> value: the
/// request, its caller, the stores and the request's cancellation. None of it is in the OpenAPI document.
/// </summary>
internal readonly record struct ResourceServices(HttpContext Http, Caller Caller, ResourceStore Store, StatusStore Statuses, CancellationToken Cancellation);

/// <summary>The query of a list page (<c>Data/ListQuery.cs</c>), bound as one <c>[AsParameters]</c> value by every list route.</summary>
internal readonly record struct PageParameters(
    [FromQuery(Name = "limit")] int? Limit,
    [FromQuery(Name = "continue")] string? Continue,
    [FromQuery(Name = "labelSelector")] string? LabelSelector,
    [FromQuery(Name = "phase")] string? Phase)
{
    /// <summary>The page <paramref name="caller"/> may read, of one cluster's node pools when <paramref name="clusterId"/> is given.</summary>
    public ListQuery For(Caller caller, Guid? clusterId) => ListQuery.Parse(caller.ReadScope, clusterId, Limit, Continue, LabelSelector, Phase);
}
