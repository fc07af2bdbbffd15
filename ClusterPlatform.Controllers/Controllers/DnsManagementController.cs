using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Claims <c>api.&lt;name&gt;.&lt;baseDomain&gt;</c> and <c>oauth.&lt;name&gt;.&lt;baseDomain&gt;</c> for the
/// cluster before its HostedCluster is applied with them as route hostnames; HyperShift's ExternalDNS
/// publishes their records. It releases the claim only after the HostedCluster is gone, so the names
/// never pass to another cluster while ExternalDNS still serves them for this one.
/// </summary>
internal sealed class DnsManagementController(ControllerApiClient api, ClusterRequeue requeue, IDnsProvider dns, ILogger<DnsManagementController> logger)
    : ReconcilerBase(api, requeue, logger)
{
    public override string ControllerName => ControllerNames.DnsManagement;

    protected override IReadOnlyList<string> Prerequisites => [ControllerNames.Placement];

    protected override IReadOnlyList<string> FinalizeAfter => [ControllerNames.OperatorClient];

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        var names = await dns.ClaimAsync(Name(cluster), ct);
        // Names held by another cluster are a fact, not a failure to retry at once: the reconcile
        // sweep of clusters that are not Ready tries again until the holder is deleted.
        return names.Ready
            ? new ReconcileResult(true, "NamesClaimed", names.Message, Data: new { apiHostname = names.ApiHostname, oauthHostname = names.OAuthHostname })
            : new ReconcileResult(false, "NameInUse", names.Message, Progressing: true);
    }

    protected override async Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct)
    {
        var names = await dns.ReleaseAsync(Name(cluster), ct);
        return new ReconcileResult(false, "Deleting", names.Message, Finalized: true);
    }

    internal static ClusterDnsName Name(Cluster cluster) => new(cluster.Id, cluster.Name, cluster.Spec.Dns.BaseDomain);
}
