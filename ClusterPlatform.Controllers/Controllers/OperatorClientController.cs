using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Creates or updates the namespace, HostedCluster and NodePools on the placed management cluster,
/// reports Available from the HostedCluster's own conditions and each node pool's status through the
/// node pool status endpoint, and on delete removes them and waits until they are gone.
/// </summary>
internal sealed class OperatorClientController(ControllerApiClient api, IManagementClusterProvider hypershift, ILogger<OperatorClientController> logger)
    : ClusterController(api, logger)
{
    public override string ControllerName => ControllerNames.OperatorClient;

    protected override IReadOnlyList<string> Prerequisites => [ControllerNames.Placement, ControllerNames.DnsManagement];

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        if (ManagementCluster(cluster) is not { } endpoint)
        {
            return ReconcileResult.PreconditionsNotMet("The placement reports no management cluster API endpoint.");
        }

        // Workload identity federation names the project by number; environment validation looked it up.
        if (DataOf(cluster, ControllerNames.EnvironmentValidation, "projectNumber") is not { } projectNumber)
        {
            return ReconcileResult.PreconditionsNotMet($"{ControllerNames.EnvironmentValidation} reports no project number for {cluster.Spec.Gcp.ProjectId}.");
        }

        var pools = await Api.GetNodePoolsAsync(ControllerName, cluster.Id, ct);
        var live = pools.Where(p => p.DeletionTimestamp is null).ToList();
        var status = await hypershift.ApplyAsync(endpoint, Input(cluster, projectNumber, live), ct);
        foreach (var pool in pools)
        {
            await ReportPoolAsync(pool, pool.DeletionTimestamp is null ? status.NodePools.FirstOrDefault(p => p.Name == pool.Name) : null, ct);
        }

        return new ReconcileResult(status.Available, status.Available ? "HostedClusterAvailable" : "HostedClusterNotAvailable", status.Message,
            Progressing: !status.Available, Data: new { @namespace = Ref(cluster).Namespace, hostedCluster = Ref(cluster).Name });
    }

    protected override async Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct)
    {
        // No placement endpoint means the cluster was never placed, so no HostedCluster was ever applied.
        var gone = ManagementCluster(cluster) is not { } endpoint || await hypershift.DeleteAsync(endpoint, Ref(cluster), ct);
        if (!gone)
        {
            // HyperShift's finalizers take time: fail, so the event is redelivered with backoff and checked again.
            throw new InvalidOperationException($"HostedCluster {Ref(cluster).Name} is still being deleted.");
        }

        // The node pools are finalized first: the cluster is hard-deleted only after them.
        foreach (var pool in await Api.GetNodePoolsAsync(ControllerName, cluster.Id, ct))
        {
            await ReportPoolAsync(pool, null, ct);
        }

        return new ReconcileResult(false, "Deleting", "The HostedCluster and its NodePools are gone.", Finalized: true);
    }

    /// <summary>A live pool reports its NodePool's readiness; a deleting pool whose NodePool is gone reports Finalized.</summary>
    private async Task ReportPoolAsync(NodePool pool, NodePoolStatus? status, CancellationToken ct)
    {
        var result = pool.DeletionTimestamp is not null
            ? new ReconcileResult(false, "Deleting", "The NodePool is gone.", Finalized: true)
            : status is null
                ? new ReconcileResult(false, "NodePoolPending", "The NodePool has not reported yet.", Progressing: true)
                : new ReconcileResult(status.Ready, status.Ready ? "NodePoolReady" : "NodePoolNotReady",
                    $"{status.Replicas} replica(s); " + string.Join("; ", status.Conditions.Select(c => $"{c.Type}={c.Status}")), Progressing: !status.Ready);
        await Api.ReportNodePoolStatusAsync(pool.Id, result.ToReport(ControllerName, pool.Generation), ct);
    }

    private static Uri? ManagementCluster(Cluster cluster) =>
        DataOf(cluster, ControllerNames.Placement, "apiEndpoint") is { } endpoint ? new Uri(endpoint) : null;

    private static HostedClusterRef Ref(Cluster cluster) => HostedClusterRef.For(cluster.Id, cluster.Name);

    private static HostedClusterInput Input(Cluster cluster, string projectNumber, IReadOnlyList<NodePool> pools) => new(
        Ref(cluster), cluster.Id, cluster.Spec.Release.Version, cluster.Spec.Dns.BaseDomain, cluster.Spec.Gcp.ProjectId, projectNumber,
        cluster.Spec.Gcp.Region, cluster.Spec.Gcp.Network,
        new ClusterNetworks(cluster.Spec.Networking.MachineCidr, cluster.Spec.Networking.PodCidr, cluster.Spec.Networking.ServiceCidr),
        pools.Select(p => new NodePoolInput(p.Name, p.Spec.MachineType, p.Spec.Replicas,
            p.Spec.Autoscaling is { } a ? new NodePoolAutoscaling(a.Min, a.Max) : null, p.Spec.DiskSizeGb, p.Spec.Version)).ToList());
}
