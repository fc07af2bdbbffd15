using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// The flow every controller follows (ARCHITECTURE.md): receive the event, GET the cluster, check
/// its own preconditions (other controllers' conditions at the current generation), do the work
/// through providers, PUT its status. It always reports, also when it skips the work. It acts on the
/// state it reads, not on the event, so duplicates and out-of-order events are harmless. Outcomes
/// follow <see cref="ReconcileResult"/>: a permanent provider failure is reported as Degraded and
/// acked, a transient one is reported as Progressing and nacked, and a wait is reported, acked and
/// looked at again after the result's <see cref="ReconcileResult.RetryAfter"/>.
/// </summary>
internal abstract class ClusterController(ControllerApiClient api, ClusterRequeue requeue, ILogger logger) : IClusterEventHandler
{
    public abstract string ControllerName { get; }

    protected ControllerApiClient Api => api;

    /// <summary>How soon to look again at something outside the platform (<c>Controllers:RequeueAfter</c>).</summary>
    protected TimeSpan RequeueAfter => requeue.Delay;

    /// <summary>Controllers that must report Available at the cluster's generation before this one works.</summary>
    protected virtual IReadOnlyList<string> Prerequisites => [];

    /// <summary>Controllers that must have finalized before this one finalizes a deleting cluster.</summary>
    protected virtual IReadOnlyList<string> FinalizeAfter => [];

    protected abstract Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct);

    protected abstract Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct);

    // Read, work and report for one cluster at a time (per controller): a later handling then always
    // reads what an earlier one reported, and never reports before it (KeyedLock).
    private readonly KeyedLock<Guid> clusters = new();

    public Task HandleAsync(ClusterEvent clusterEvent, int deliveryAttempt, CancellationToken ct) => HandleClusterAsync(clusterEvent.ClusterId, ct);

    private async Task HandleClusterAsync(Guid clusterId, CancellationToken ct)
    {
        using var _ = await clusters.AcquireAsync(clusterId, ct);
        var cluster = await api.GetClusterAsync(ControllerName, clusterId, ct);
        if (cluster is null)
        {
            logger.LogDebug("{Controller}: cluster {ClusterId} is gone; nothing to do", ControllerName, clusterId);
            return;
        }

        // Skipping the work changes nothing in the world, so a skip keeps the data last reported: the
        // placement's endpoint, for one, must outlive the wait for others to finalize, because the
        // operator client needs it to delete the HostedCluster.
        var previous = cluster.Status.Controllers.FirstOrDefault(c => c.Name == ControllerName);
        var deleting = cluster.DeletionTimestamp is not null;
        ReconcileResult result;
        try
        {
            result = await DecideAsync(cluster, previous?.Data, ct);
        }
        catch (ProviderException failure) when (!failure.Transient)
        {
            logger.LogWarning("{Controller}: cluster {ClusterId} cannot progress: {Failure}", ControllerName, cluster.Id, failure.Message);
            result = ReconcileResult.FailedForGood(failure, deleting ? false : null) with { Data = previous?.Data };
        }
        catch (ProviderException failure)
        {
            var wasAvailable = Reported(cluster, ControllerName, "Available");
            await api.ReportClusterStatusAsync(cluster.Id,
                (ReconcileResult.TransientFailure(failure, wasAvailable, deleting ? false : null) with { Data = previous?.Data }).ToReport(ControllerName, cluster.Generation), ct);
            throw; // nack: redelivered with backoff
        }

        var outcome = await api.ReportClusterStatusAsync(cluster.Id, result.ToReport(ControllerName, cluster.Generation), ct);
        logger.LogInformation("{Controller} reported Available={Available} ({Reason}) for cluster {ClusterId} at generation {Generation}: {Outcome}",
            ControllerName, result.Available, result.Reason, cluster.Id, cluster.Generation, outcome);
        if (result.RetryAfter is { } delay)
        {
            requeue.Schedule(ControllerName, cluster.Id, delay, token => HandleClusterAsync(cluster.Id, token));
        }
    }

    private async Task<ReconcileResult> DecideAsync(Cluster cluster, System.Text.Json.JsonElement? previousData, CancellationToken ct)
    {
        if (cluster.DeletionTimestamp is not null)
        {
            var waiting = FinalizeAfter.Where(name => !Reported(cluster, name, "Finalized")).ToList();
            return waiting.Count > 0
                ? new ReconcileResult(false, "Deleting", $"Waiting for {string.Join(", ", waiting)} to finalize.", Progressing: true, Finalized: false, Data: previousData)
                : await FinalizeAsync(cluster, ct);
        }

        var unmet = Prerequisites.Where(name => !Reported(cluster, name, "Available")).ToList();
        return unmet.Count > 0
            ? ReconcileResult.PreconditionsNotMet($"Waiting for {string.Join(", ", unmet)} to be Available at generation {cluster.Generation}.") with { Data = previousData }
            : await ReconcileAsync(cluster, ct);
    }

    /// <summary>Whether <paramref name="controller"/> reports <paramref name="condition"/>=True at the cluster's generation.</summary>
    protected static bool Reported(Cluster cluster, string controller, string condition) =>
        cluster.Status.Controllers.FirstOrDefault(c => c.Name == controller) is { } status
        && status.ObservedGeneration == cluster.Generation
        && status.Conditions.Any(c => c.Type == condition && c.Status == "True");

    /// <summary>A string field of another controller's reported data, e.g. the placement's management cluster.</summary>
    protected static string? DataOf(Cluster cluster, string controller, string field) =>
        cluster.Status.Controllers.FirstOrDefault(c => c.Name == controller)?.Data is { ValueKind: System.Text.Json.JsonValueKind.Object } data
        && data.TryGetProperty(field, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
            ? value.GetString()
            : null;
}
