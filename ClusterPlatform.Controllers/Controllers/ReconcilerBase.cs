using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// The flow every controller follows (docs/architecture.md): receive the event, GET the cluster, check
/// its own preconditions (other controllers' conditions at the current generation), do the work
/// through providers, PUT its status. It always reports, also when it skips the work, unless its
/// reading already says all the report would (<see cref="UnchangedReport"/>). It acts on the state it
/// reads, not on the event, so duplicates and out-of-order events are harmless. Outcomes follow
/// <see cref="ReconcileResult"/>: a permanent provider failure is reported as Degraded and acked, a
/// transient one is reported as Progressing and nacked, and a wait is reported, acked and looked at
/// again after the result's <see cref="ReconcileResult.RetryAfter"/>.
/// </summary>
internal abstract class ReconcilerBase(ControllerApiClient api, ClusterRequeue requeue, ILogger logger) : IClusterEventHandler
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

    /// <summary>
    /// How many times one handling reads, works and reports before a run of report-conflicts leaves
    /// the cluster to a requeue. Each conflict means another replica stored a report from a newer
    /// read, so a long run is unlikely and waiting costs nothing.
    /// </summary>
    internal const int MaxAttempts = 5;

    // Read, work and report for one cluster at a time within this process: a later handling then
    // reads what an earlier one reported and never reports before it (KeyedLock). Across replicas the
    // report's version does the same (report-conflict); the lock only saves the conflicts here.
    private readonly KeyedLock<Guid> clusters = new();

    public Task HandleAsync(ClusterEvent clusterEvent, CancellationToken ct) => HandleClusterAsync(clusterEvent.ClusterId, ct);

    private async Task HandleClusterAsync(Guid clusterId, CancellationToken ct)
    {
        using var _ = await clusters.AcquireAsync(clusterId, ct);
        var handling = new Handling();
        for (var attempt = 1; ; attempt++)
        {
            ReportOutcome outcome;
            try
            {
                outcome = await ReconcileOnceAsync(clusterId, handling, ct);
            }
            catch (ReportConflictException)
            {
                outcome = ReportOutcome.Conflict; // a node pool's report conflicted: the whole reading is old
            }

            if (outcome == ReportOutcome.Gone && handling.WorkedFrom is { } reading)
            {
                CleanUp(reading);
                return;
            }

            if (outcome != ReportOutcome.Conflict)
            {
                return;
            }

            if (attempt == MaxAttempts)
            {
                logger.LogInformation("{Controller}: reports on cluster {ClusterId} conflicted {Attempts} times in a row; looking again in {Delay}",
                    ControllerName, clusterId, attempt, RequeueAfter);
                requeue.Schedule(ControllerName, clusterId, RequeueAfter, token => HandleClusterAsync(clusterId, token));
                return;
            }

            logger.LogDebug("{Controller}: another replica reported on cluster {ClusterId} since it was read; reading again (attempt {Attempt})",
                ControllerName, clusterId, attempt + 1);
        }
    }

    /// <summary>What one handling did across its attempts.</summary>
    private sealed class Handling
    {
        /// <summary>The last live reading this handling did provider work from (<see cref="ReconcileAsync"/>), if any.</summary>
        public Cluster? WorkedFrom { get; set; }
    }

    /// <summary>
    /// The cluster vanished after this handling worked on it from a live reading. That work may have
    /// landed after another replica's finalization removed its result (a HostedCluster applied, a
    /// name claimed, a placement taken after they were deleted, released or torn down), and no later
    /// handling would see it, since the cluster reads as 404. So it is finalized here from the same
    /// reading, in the background and again after each wait, until done; each finalization is
    /// idempotent, so one that finds nothing costs a few reads.
    /// </summary>
    private void CleanUp(Cluster reading)
    {
        logger.LogInformation("{Controller}: cluster {ClusterId} is gone after work from a live reading; finalizing that work",
            ControllerName, reading.Id);
        requeue.Schedule(ControllerName + CleanUpSuffix, reading.Id, TimeSpan.Zero, token => CleanUpAsync(reading, token));
    }

    /// <summary>Keeps a clean-up's waits apart from the cluster's own requeue in <see cref="ClusterRequeue"/>.</summary>
    private const string CleanUpSuffix = " (clean-up)";

    private async Task CleanUpAsync(Cluster reading, CancellationToken ct)
    {
        ReconcileResult result;
        try
        {
            result = await CleanUpAfterGoneAsync(reading, ct);
        }
        catch (ProviderException failure) when (!failure.Transient)
        {
            // Nothing retried can succeed (the management cluster refuses, or is gone): say what is left.
            logger.LogWarning("{Controller}: cannot finalize the work on gone cluster {ClusterId}: {Failure}", ControllerName, reading.Id, failure.Message);
            return;
        }

        if (result.Finalized != true)
        {
            requeue.Schedule(ControllerName + CleanUpSuffix, reading.Id, result.RetryAfter ?? RequeueAfter, token => CleanUpAsync(reading, token));
        }
    }

    /// <summary>
    /// Undoes what <see cref="ReconcileAsync"/> may have done for a cluster that is gone; by default
    /// the controller's own finalization. Finalized=True when nothing is left.
    /// </summary>
    protected virtual Task<ReconcileResult> CleanUpAfterGoneAsync(Cluster reading, CancellationToken ct) => FinalizeAsync(reading, ct);

    /// <summary>One read, decision and report; <see cref="ReportOutcome.Conflict"/> when the reading was overtaken.</summary>
    private async Task<ReportOutcome> ReconcileOnceAsync(Guid clusterId, Handling handling, CancellationToken ct)
    {
        var cluster = await api.GetClusterAsync(ControllerName, clusterId, ct);
        if (cluster is null)
        {
            logger.LogDebug("{Controller}: cluster {ClusterId} is gone; nothing to do", ControllerName, clusterId);
            return ReportOutcome.Gone;
        }

        // Skipping the work changes nothing in the world, so a skip keeps the data last reported: the
        // placement's endpoint, for one, must outlive the wait for others to finalize, because the
        // operator client needs it to delete the HostedCluster.
        var previous = Entry(cluster.Status);
        var deleting = cluster.DeletionTimestamp is not null;
        ReconcileResult result;
        try
        {
            result = await DecideAsync(cluster, previous?.Data, handling, ct);
        }
        catch (ProviderException failure) when (!failure.Transient)
        {
            logger.LogWarning("{Controller}: cluster {ClusterId} cannot progress: {Failure}", ControllerName, cluster.Id, failure.Message);
            result = ReconcileResult.FailedForGood(failure, deleting ? false : null) with { Data = previous?.Data };
        }
        catch (ProviderException failure)
        {
            var wasAvailable = Reported(cluster, ControllerName, "Available");
            // A conflict here changes nothing: the nack below brings a fresh read anyway.
            await api.ReportClusterStatusAsync(cluster.Id,
                (ReconcileResult.TransientFailure(failure, wasAvailable, deleting ? false : null) with { Data = previous?.Data })
                    .ToReport(ControllerName, cluster.Generation, VersionRead(cluster.Status)), ct);
            throw; // nack: redelivered with backoff
        }

        var report = result.ToReport(ControllerName, cluster.Generation, VersionRead(cluster.Status));
        ReportOutcome outcome;
        if (UnchangedReport.Repeats(previous, report, cluster.Generation, deleting))
        {
            // Its reading already says this: a PUT would be answered without a write, so none is sent.
            // Still one line per handling, as a sent report has, so the log shows every handling.
            outcome = ReportOutcome.Unchanged;
            logger.LogInformation("{Controller} has nothing new to report (Available={Available}, {Reason}) for cluster {ClusterId} at generation {Generation}",
                ControllerName, result.Available, result.Reason, cluster.Id, cluster.Generation);
        }
        else
        {
            outcome = await api.ReportClusterStatusAsync(cluster.Id, report, ct);
            if (outcome == ReportOutcome.Conflict)
            {
                return outcome; // nothing stored: the caller reads again, and a wait is decided from that reading
            }

            logger.LogInformation("{Controller} reported Available={Available} ({Reason}) for cluster {ClusterId} at generation {Generation}: {Outcome}",
                ControllerName, result.Available, result.Reason, cluster.Id, cluster.Generation, outcome);
        }

        if (result.RetryAfter is { } delay)
        {
            requeue.Schedule(ControllerName, cluster.Id, delay, token => HandleClusterAsync(cluster.Id, token));
        }

        return outcome;
    }

    /// <summary>
    /// Reports on one of the cluster's node pools from the pool as read, with the version of this
    /// controller's entry in it. A conflict means the pool was reported on since this reading, so the
    /// whole reconcile is redone from a new one (<see cref="ReportConflictException"/>).
    /// </summary>
    protected async Task ReportNodePoolAsync(NodePool pool, ReconcileResult result, CancellationToken ct)
    {
        var report = result.ToReport(ControllerName, pool.Generation, VersionRead(pool.Status));
        if (UnchangedReport.Repeats(Entry(pool.Status), report, pool.Generation, pool.DeletionTimestamp is not null))
        {
            return; // the pool as read already says this (see the cluster's report)
        }

        if (await api.ReportNodePoolStatusAsync(pool.Id, report, ct) == ReportOutcome.Conflict)
        {
            throw new ReportConflictException();
        }
    }

    /// <summary>This controller's entry in a resource's status, or null before its first report.</summary>
    private ControllerStatus? Entry(ResourceStatus status) => status.Controllers.FirstOrDefault(c => c.Name == ControllerName);

    /// <summary>The version a report made from <paramref name="status"/> names: its entry's, 0 when it has none (the Api's contract).</summary>
    private long VersionRead(ResourceStatus status) => Entry(status)?.Version ?? 0;

    /// <summary>A node pool report was overtaken; caught by the handling loop, never seen outside it.</summary>
    private sealed class ReportConflictException : Exception;

    private async Task<ReconcileResult> DecideAsync(Cluster cluster, System.Text.Json.JsonElement? previousData, Handling handling, CancellationToken ct)
    {
        if (cluster.DeletionTimestamp is not null)
        {
            var waiting = FinalizeAfter.Where(name => !Reported(cluster, name, "Finalized")).ToList();
            return waiting.Count > 0
                ? new ReconcileResult(false, "Deleting", $"Waiting for {string.Join(", ", waiting)} to finalize.", Progressing: true, Finalized: false, Data: previousData)
                : await FinalizeAsync(cluster, ct);
        }

        var unmet = Prerequisites.Where(name => !PrerequisiteMet(cluster, name)).ToList();
        if (unmet.Count > 0)
        {
            var waiting = $"Waiting for {string.Join(", ", unmet)} to be Available at generation {cluster.Generation}.";
            // After a spec change (an upgrade) the controllers before this one have not looked at the new
            // generation yet, but what they and this one set up for an earlier one is still in place:
            // that is a wait, not a loss, so Available keeps its True (the Api keeps the cluster Ready,
            // docs/controllers.md) and this controller looks again after the requeue delay. A prerequisite
            // that is not Available at all makes this one unavailable, as before.
            return Serving(cluster, ControllerName) && unmet.All(name => Serving(cluster, name))
                ? ReconcileResult.PreconditionsNotMet(waiting) with { Available = true, Data = previousData, RetryAfter = RequeueAfter }
                : ReconcileResult.PreconditionsNotMet(waiting) with { Data = previousData };
        }

        handling.WorkedFrom = cluster; // before the work: a part of it may land even if the rest fails
        return await ReconcileAsync(cluster, ct);
    }

    /// <summary>
    /// A prerequisite has done its work for the cluster's generation: Available=True at it, and not a
    /// report that only keeps an earlier generation's Available while it waits itself (reason PreconditionsNotMet).
    /// </summary>
    private static bool PrerequisiteMet(Cluster cluster, string controller) =>
        Reported(cluster, controller, "Available")
        && cluster.Status.Controllers.First(c => c.Name == controller).Conditions.First(c => c.Type == "Available").Reason != ReconcileResult.PreconditionsNotMetReason;

    /// <summary>The controller's latest report, of any generation, says Available=True: what it set up is in place.</summary>
    private static bool Serving(Cluster cluster, string controller) =>
        cluster.Status.Controllers.FirstOrDefault(c => c.Name == controller) is { } status
        && status.Conditions.Any(c => c.Type == "Available" && c.Status == "True");

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
