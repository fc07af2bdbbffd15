using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Points <c>api.&lt;name&gt;.&lt;baseDomain&gt;</c> at the control-plane endpoint HyperShift published for
/// the cluster (its API server's load balancer), so it runs after the operator client.
/// </summary>
internal sealed class DnsManagementController(ControllerApiClient api, ClusterRequeue requeue, IDnsProvider dns, ILogger<DnsManagementController> logger)
    : ClusterController(api, requeue, logger)
{
    public override string ControllerName => ControllerNames.DnsManagement;

    protected override IReadOnlyList<string> Prerequisites => [ControllerNames.OperatorClient];

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        if (DataOf(cluster, ControllerNames.OperatorClient, "apiServerHost") is not { } target)
        {
            return ReconcileResult.PreconditionsNotMet("HyperShift has not published the control-plane endpoint yet.");
        }

        var records = await dns.EnsureRecordsAsync(new ClusterDnsRequest(Name(cluster), target), ct);
        // Names held by another cluster are a fact, not a failure to retry at once: the reconcile
        // sweep of clusters that are not Ready tries again until the holder is deleted.
        return records.Ready
            ? new ReconcileResult(true, "RecordsReady", records.Message, Data: new { apiHostname = records.ApiHostname })
            : new ReconcileResult(false, "NameInUse", records.Message, Progressing: true);
    }

    protected override async Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct)
    {
        var records = await dns.DeleteRecordsAsync(Name(cluster), ct);
        return new ReconcileResult(false, "Deleting", records.Message, Finalized: true);
    }

    private static ClusterDnsName Name(Cluster cluster) => new(cluster.Id, cluster.Name, cluster.Spec.Dns.BaseDomain);
}
