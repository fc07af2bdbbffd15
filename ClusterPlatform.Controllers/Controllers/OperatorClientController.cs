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
/// reconcile after reconcile, until HyperShift's finalizers and the namespace are done. Once the
/// HostedCluster is Available it also relays break-glass credential requests and revocations
/// (<see cref="CredentialRelay"/>).
/// </summary>
internal sealed class OperatorClientController(
    ControllerApiClient api, ClusterRequeue requeue, IManagementClusterProvider hypershift, IReleaseImageProvider releases, TimeProvider time,
    ILogger<OperatorClientController> logger)
    : ReconcilerBase(api, requeue, logger)
{
    /// <summary>The reason of Progressing while a new release rolls out over a running one (the contract).</summary>
    internal const string Upgrading = "Upgrading";

    private readonly CredentialRelay credentials = new(api, hypershift, logger);

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
        // Release images come from the cluster's channel group: a version is listed (with its payload)
        // only in the channels of the groups it was published to.
        var channelGroup = cluster.Spec.Release.ChannelGroup;
        var images = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var wanted in live.Select(p => PoolVersion(cluster, p)).Append(cluster.Spec.Release.Version).Distinct(StringComparer.Ordinal))
        {
            images[wanted] = await ReleaseImageAsync(wanted, channelGroup, ct);
        }

        var input = Input(cluster, projectNumber, images, live);
        var status = await hypershift.ApplyAsync(endpoint, input, ct);
        var poolsWaiting = false;
        foreach (var pool in pools)
        {
            var nodePool = status.NodePools.FirstOrDefault(p => p.Name == pool.Name);
            var rolling = await ReportPoolAsync(pool, PoolVersion(cluster, pool), nodePool, ct);
            // A live pool not Ready yet or still rolling a release out, or a deleting pool whose NodePool HyperShift is still draining.
            poolsWaiting |= pool.DeletionTimestamp is null ? nodePool is not { Ready: true } || rolling : nodePool is not null;
        }

        // Break-glass credentials need a running control plane; the extra read of the work stays off the path to Ready.
        var credentialsWaiting = status.Available
            && await credentials.StepAsync(ControllerName, cluster.Id, endpoint, input.Ref, status.ApiUrl, ct);
        var version = VersionReport.ForHostedCluster(status.Version, cluster.Spec.Release.Version, images.ToDictionary(i => i.Value, i => i.Key, StringComparer.Ordinal));
        var upgrading = status.Available && !status.Degraded && version.Upgrading;
        var reason = status.Available ? "HostedClusterAvailable" : status.Degraded ? "HostedClusterDegraded" : "HostedClusterNotAvailable";
        return new ReconcileResult(status.Available, reason, upgrading ? UpgradeMessage(version, status) : status.Message,
            Progressing: status.Progressing, Degraded: status.Degraded,
            Data: new
            {
                @namespace = input.Ref.Namespace,
                hostedCluster = input.Ref.Name,
                apiServerHost = status.ControlPlaneEndpoint?.Host,
                apiServerPort = status.ControlPlaneEndpoint?.Port,
                // The cluster's status.apiUrl and status.consoleUrl (docs/api.md "Cluster").
                apiUrl = status.ApiUrl,
                consoleUrl = status.AvailableConsoleUrl,
                releaseImage = input.ReleaseImage,
                version,
            },
            // HyperShift takes minutes to bring a control plane and its machines up or to a new release, and
            // its Degraded conditions clear on their own as often as not: look again until all of it is there.
            // A pending credential or revocation is looked at again the same way.
            RetryAfter: status.Available && !status.Progressing && !poolsWaiting && !credentialsWaiting ? null : RequeueAfter,
            ProgressingReason: upgrading ? Upgrading : null,
            DegradedReason: status.Problem is { } problem ? ConditionReason(problem.Reason) : null);
    }

    /// <summary>The contract's message: from which version to which, since when, and HyperShift's last word.</summary>
    private static string UpgradeMessage(VersionReport version, HostedClusterStatus status) =>
        $"Upgrading from {version.Current} to {version.History[0].Version} since {version.History[0].StartedAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: {status.RolloutMessage ?? status.Message}";

    /// <summary>
    /// HyperShift's reason as the Api's condition reasons must be (<c>^[A-Z][A-Za-z0-9]{0,63}$</c>): Kubernetes
    /// allows '_', ',' and ':' in reasons and a lower-case start, which are dropped and raised.
    /// </summary>
    internal static string ConditionReason(string? reason)
    {
        var kept = new string((reason ?? "").Where(char.IsAsciiLetterOrDigit).ToArray());
        kept = kept.Length > 64 ? kept[..64] : kept;
        return kept is [var first, ..] && char.IsAsciiLetter(first) ? char.ToUpperInvariant(first) + kept[1..] : "HostedClusterDegraded";
    }

    private static string PoolVersion(Cluster cluster, NodePool pool) => pool.Spec.Version ?? cluster.Spec.Release.Version;

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
            await ReportPoolAsync(pool, PoolVersion(cluster, pool), null, ct);
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
    private async Task<string> ReleaseImageAsync(string version, string channelGroup, CancellationToken ct) =>
        (await releases.ResolveAsync(version, channelGroup, ct))?.PullSpec
        ?? throw new ProviderException($"OpenShift {version} is not in the update graph's {channelGroup} channel; choose a listed version", transient: false);

    /// <summary>
    /// A live pool reports its NodePool's readiness. A deleting pool reports Finalized only once its
    /// NodePool is gone: HyperShift's finalizer drains its machines first, and a new pool of the
    /// same name must not be applied onto an object that is being deleted.
    /// </summary>
    /// <returns>Whether the pool's NodePool is still rolling a release out (its newest history entry Partial).</returns>
    private async Task<bool> ReportPoolAsync(NodePool pool, string desiredVersion, NodePoolStatus? status, CancellationToken ct)
    {
        ReconcileResult result;
        var rolling = false;
        if (pool.DeletionTimestamp is not null)
        {
            result = status is null
                ? new ReconcileResult(false, "Deleting", "The NodePool is gone.", Finalized: true)
                : new ReconcileResult(false, "Deleting", "Waiting for HyperShift to delete the NodePool.", Progressing: true, Finalized: false);
        }
        else if (status is null)
        {
            result = new ReconcileResult(false, "NodePoolPending", "The NodePool has not reported yet.", Progressing: true);
        }
        else
        {
            var previous = VersionReport.FromData(pool.Status.Controllers.FirstOrDefault(c => c.Name == ControllerName)?.Data);
            var version = VersionReport.ForNodePool(previous, desiredVersion, status.Version, time.GetUtcNow().UtcDateTime);
            rolling = version.History[0].State == ReleaseHistoryEntry.Partial;
            var upgrading = status.Ready && version.Upgrading;
            var conditions = string.Join("; ", status.Conditions.Select(c => $"{c.Type}={c.Status}"));
            result = new ReconcileResult(status.Ready, status.Ready ? "NodePoolReady" : "NodePoolNotReady",
                upgrading
                    ? $"Upgrading from {version.Current} to {desiredVersion} since {version.History[0].StartedAt:yyyy-MM-dd'T'HH:mm:ss'Z'}: {status.Replicas} replica(s); {conditions}"
                    : $"{status.Replicas} replica(s); {conditions}",
                Progressing: !status.Ready || rolling, Data: new { version }, ProgressingReason: upgrading ? Upgrading : null);
        }

        await ReportNodePoolAsync(pool, result, ct);
        return rolling;
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
            p.Spec.Autoscaling is { } a ? new NodePoolAutoscaling(a.Min, a.Max) : null, p.Spec.DiskSizeGb, images[PoolVersion(cluster, p)], PoolVersion(cluster, p),
            p.Spec.Management is { } m ? new NodePoolUpgrade(m.UpgradeType, m.MaxSurge, m.MaxUnavailable) : null)).ToList());
}
