using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Places the cluster on the least loaded management cluster of its region with room (sticky: the Api
/// keeps the placement), and releases the capacity once the hosted control plane and its DNS are gone.
/// It comes first: the cluster's service-account signing key lives on its management cluster, and
/// environment validation must check that the customer's workload identity provider trusts that key.
/// </summary>
internal sealed class PlacementController(ControllerApiClient api, ClusterRequeue requeue, ILogger<PlacementController> logger)
    : ReconcilerBase(api, requeue, logger)
{
    public override string ControllerName => ControllerNames.Placement;

    protected override IReadOnlyList<string> FinalizeAfter => [ControllerNames.OperatorClient, ControllerNames.DnsManagement];

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        var placed = await Api.PlaceAsync(ControllerName, cluster.Id, ct);
        return placed is null
            ? new ReconcileResult(false, "NoCapacity", $"No management cluster in {cluster.Spec.Gcp.Region} has room; retrying on the next reconcile.",
                Progressing: true)
            : new ReconcileResult(true, "Placed", $"Placed on {placed.Name} in {placed.Region}.",
                Data: new { managementCluster = placed.Name, apiEndpoint = placed.ApiEndpoint });
    }

    protected override async Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct)
    {
        await Api.ReleaseAsync(ControllerName, cluster.Id, ct);
        return new ReconcileResult(false, "Deleting", "Released the management cluster's capacity.", Finalized: true);
    }
}
