using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>Points <c>api.&lt;name&gt;.&lt;baseDomain&gt;</c> and <c>*.apps.…</c> at the placed management cluster's ingress.</summary>
internal sealed class DnsManagementController(ControllerApiClient api, IDnsProvider dns, ILogger<DnsManagementController> logger)
    : ClusterController(api, logger)
{
    public override string ControllerName => ControllerNames.DnsManagement;

    protected override IReadOnlyList<string> Prerequisites => [ControllerNames.Placement];

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        var ingress = DataOf(cluster, ControllerNames.Placement, "ingressTarget");
        if (ingress is null)
        {
            return ReconcileResult.PreconditionsNotMet("The placement reports no ingress target.");
        }

        var records = await dns.EnsureRecordsAsync(new ClusterDnsRequest(Name(cluster), ingress), ct);
        // Names held by another cluster are a fact, not a failure to retry at once: the reconcile
        // sweep of clusters that are not Ready tries again until the holder is deleted.
        return records.Ready
            ? new ReconcileResult(true, "RecordsReady", records.Message, Data: new { apiHostname = records.ApiHostname, appsHostname = records.AppsHostname })
            : new ReconcileResult(false, "NameInUse", records.Message, Progressing: true);
    }

    protected override async Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct)
    {
        var records = await dns.DeleteRecordsAsync(Name(cluster), ct);
        return new ReconcileResult(false, "Deleting", records.Message, Finalized: true);
    }

    private static ClusterDnsName Name(Cluster cluster) => new(cluster.Id, cluster.Name, cluster.Spec.Dns.BaseDomain);
}
