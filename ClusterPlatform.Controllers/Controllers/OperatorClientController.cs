using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Applies the namespace, HostedCluster and NodePools on the placed management cluster with release
/// images by digest, reports Available, Progressing and Degraded from HyperShift's own conditions at
/// the HostedCluster's generation, with the control-plane endpoint HyperShift publishes, and each
/// node pool's status through the node pool status endpoint. On delete it removes them and waits,
/// reconcile after reconcile, until HyperShift's finalizers and the namespace are done.
/// </summary>
internal sealed class OperatorClientController(
    ControllerApiClient api, ClusterRequeue requeue, IManagementClusterProvider hypershift, IReleaseImageProvider releases, ILogger<OperatorClientController> logger)
    : ReconcilerBase(api, requeue, logger)
{
    /// <summary>The update graph's channel group until clusters choose one.</summary>
    private const string ChannelGroup = "stable";

    public override string ControllerName => ControllerNames.OperatorClient;

    protected override IReadOnlyList<string> Prerequisites => [ControllerNames.Placement, ControllerNames.EnvironmentValidation, ControllerNames.DnsManagement];

    /// <summary>
    /// Environment validation makes the signing key in the cluster's namespace: once it has finalized,
    /// no key-making is in flight, so the namespace this controller deletes cannot come back.
    /// </summary>
    protected override IReadOnlyList<string> FinalizeAfter => [ControllerNames.EnvironmentValidation];

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
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var version in live.Select(p => p.Spec.Version ?? cluster.Spec.Release.Version).Append(cluster.Spec.Release.Version).Distinct(StringComparer.Ordinal))
        {
            images[version] = await ReleaseImageAsync(version, ct);
        }

        var input = Input(cluster, projectNumber, images, live);
        var status = await hypershift.ApplyAsync(endpoint, input, ct);
        var poolsWaiting = false;
        foreach (var pool in pools)
        {
            var nodePool = status.NodePools.FirstOrDefault(p => p.Name == pool.Name);
            await ReportPoolAsync(pool, nodePool, ct);
            // A live pool not Ready yet, or a deleting pool whose NodePool HyperShift is still draining.
            poolsWaiting |= pool.DeletionTimestamp is null ? nodePool is not { Ready: true } : nodePool is not null;
        }

        var reason = status.Available ? "HostedClusterAvailable" : status.Degraded ? "HostedClusterDegraded" : "HostedClusterNotAvailable";
        return new ReconcileResult(status.Available, reason, status.Message,
            Progressing: status.Progressing, Degraded: status.Degraded,
            Data: new
            {
                @namespace = input.Ref.Namespace,
                hostedCluster = input.Ref.Name,
                apiServerHost = status.ControlPlaneEndpoint?.Host,
                apiServerPort = status.ControlPlaneEndpoint?.Port,
                releaseImage = input.ReleaseImage,
                // What HyperShift reports running: the latest entry of status.version.history.
                runningVersion = status.Version is { State: "Completed" } running ? running.Version : null,
                rolloutState = status.Version?.State,
            },
            // HyperShift takes minutes to bring a control plane and its machines up, and its Degraded
            // conditions clear on their own as often as not: look again until all of it is there.
            RetryAfter: status.Available && !poolsWaiting ? null : RequeueAfter);
    }

    protected override async Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct)
    {
        if (await TearDownAsync(hypershift, cluster, RequeueAfter, ct) is { } waiting)
        {
            return waiting;
        }

        // The node pools (marked deleting with their cluster) are finalized first, their NodePools gone
        // with the HostedCluster: the cluster is hard-deleted only after them.
        foreach (var pool in await Api.GetNodePoolsAsync(ControllerName, cluster.Id, ct))
        {
            await ReportPoolAsync(pool, null, ct);
        }

        return new ReconcileResult(false, "Deleting", "The HostedCluster, its NodePools and its namespace are gone.", Finalized: true);
    }

    /// <summary>
    /// Deletes the cluster's NodePools, HostedCluster and namespace on its management cluster, in
    /// HyperShift's order; null once all are gone, else the wait to report. No placement endpoint
    /// means the cluster was never placed, so nothing was ever written to a management cluster.
    /// </summary>
    internal static async Task<ReconcileResult?> TearDownAsync(IManagementClusterProvider hypershift, Cluster cluster, TimeSpan retryAfter, CancellationToken ct)
    {
        if (ManagementCluster(cluster) is not { } endpoint)
        {
            return null;
        }

        var progress = await hypershift.DeleteAsync(endpoint, Ref(cluster), ct);
        // A wait, not a failure: HyperShift's finalizers tear down cloud resources for minutes.
        return progress.Gone ? null : new ReconcileResult(false, "Deleting", progress.Message, Progressing: true, Finalized: false, RetryAfter: retryAfter);
    }

    /// <summary>The release image by digest; a version the update graph does not list cannot be installed, whatever we retry.</summary>
    private async Task<string> ReleaseImageAsync(string version, CancellationToken ct) =>
        (await releases.ResolveAsync(version, ChannelGroup, ct))?.PullSpec
        ?? throw new ProviderException($"OpenShift {version} is not in the update graph's {ChannelGroup} channel; choose a listed version", transient: false);

    /// <summary>
    /// A live pool reports its NodePool's readiness. A deleting pool reports Finalized only once its
    /// NodePool is gone: HyperShift's finalizer drains its machines first, and a new pool of the
    /// same name must not be applied onto an object that is being deleted.
    /// </summary>
    private async Task ReportPoolAsync(NodePool pool, NodePoolStatus? status, CancellationToken ct)
    {
        var result = pool.DeletionTimestamp is not null
            ? status is null
                ? new ReconcileResult(false, "Deleting", "The NodePool is gone.", Finalized: true)
                : new ReconcileResult(false, "Deleting", "Waiting for HyperShift to delete the NodePool.", Progressing: true, Finalized: false)
            : status is null
                ? new ReconcileResult(false, "NodePoolPending", "The NodePool has not reported yet.", Progressing: true)
                : new ReconcileResult(status.Ready, status.Ready ? "NodePoolReady" : "NodePoolNotReady",
                    $"{status.Replicas} replica(s); " + string.Join("; ", status.Conditions.Select(c => $"{c.Type}={c.Status}")), Progressing: !status.Ready);
        await ReportNodePoolAsync(pool, result, ct);
    }

    private static Uri? ManagementCluster(Cluster cluster) =>
        DataOf(cluster, ControllerNames.Placement, "apiEndpoint") is { } endpoint ? new Uri(endpoint) : null;

    private static HostedClusterRef Ref(Cluster cluster) => HostedClusterRef.For(cluster.Id, cluster.Name);

    private static HostedClusterInput Input(Cluster cluster, string projectNumber, Dictionary<string, string> images, IReadOnlyList<NodePool> pools) => new(
        Ref(cluster), cluster.Id, new GcpInfrastructureNames(cluster.Spec.Gcp.InfraId, cluster.Spec.Gcp.ProjectId),
        DnsManagementController.Name(cluster), cluster.Spec.Release.Version, images[cluster.Spec.Release.Version], cluster.Spec.Dns.BaseDomain, projectNumber,
        cluster.Spec.Gcp.Region, cluster.Spec.Gcp.Network, cluster.Spec.Gcp.Subnet,
        new ClusterNetworks(cluster.Spec.Networking.MachineCidr, cluster.Spec.Networking.PodCidr, cluster.Spec.Networking.ServiceCidr),
        pools.Select(p => new NodePoolInput(p.Name, p.Spec.MachineType, p.Spec.Replicas,
            p.Spec.Autoscaling is { } a ? new NodePoolAutoscaling(a.Min, a.Max) : null, p.Spec.DiskSizeGb, images[p.Spec.Version ?? cluster.Spec.Release.Version])).ToList());
}
