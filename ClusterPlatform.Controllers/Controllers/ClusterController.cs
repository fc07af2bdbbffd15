using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// The flow every controller follows (ARCHITECTURE.md): receive the event, GET the cluster, check
/// its own preconditions (other controllers' conditions at the current generation), do the work
/// through providers, PUT its status. It always reports, also when it skips the work. It acts on the
/// state it reads, not on the event, so duplicates and out-of-order events are harmless.
/// </summary>
internal abstract class ClusterController(ControllerApiClient api, ILogger logger) : IClusterEventHandler
{
    public abstract string ControllerName { get; }

    protected ControllerApiClient Api => api;

    /// <summary>Controllers that must report Available at the cluster's generation before this one works.</summary>
    protected virtual IReadOnlyList<string> Prerequisites => [];

    /// <summary>Controllers that must have finalized before this one finalizes a deleting cluster.</summary>
    protected virtual IReadOnlyList<string> FinalizeAfter => [];

    protected abstract Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct);

    protected abstract Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct);

    // Read, work and report for one cluster at a time (per controller): a later handling then always
    // reads what an earlier one reported, and never reports before it (KeyedLock).
    private readonly KeyedLock<Guid> clusters = new();

    public async Task HandleAsync(ClusterEvent clusterEvent, int deliveryAttempt, CancellationToken ct)
    {
        using var _ = await clusters.AcquireAsync(clusterEvent.ClusterId, ct);
        var cluster = await api.GetClusterAsync(ControllerName, clusterEvent.ClusterId, ct);
        if (cluster is null)
        {
            logger.LogDebug("{Controller}: cluster {ClusterId} is gone; nothing to do", ControllerName, clusterEvent.ClusterId);
            return;
        }

        // Skipping the work changes nothing in the world, so a skip keeps the data last reported: the
        // placement's endpoint, for one, must outlive the wait for others to finalize, because the
        // operator client needs it to delete the HostedCluster.
        var previousData = cluster.Status.Controllers.FirstOrDefault(c => c.Name == ControllerName)?.Data;
        ReconcileResult result;
        if (cluster.DeletionTimestamp is not null)
        {
            var waiting = FinalizeAfter.Where(name => !Reported(cluster, name, "Finalized")).ToList();
            result = waiting.Count > 0
                ? new ReconcileResult(false, "Deleting", $"Waiting for {string.Join(", ", waiting)} to finalize.", Progressing: true, Finalized: false, Data: previousData)
                : await FinalizeAsync(cluster, ct);
        }
        else
        {
            var unmet = Prerequisites.Where(name => !Reported(cluster, name, "Available")).ToList();
            result = unmet.Count > 0
                ? ReconcileResult.PreconditionsNotMet($"Waiting for {string.Join(", ", unmet)} to be Available at generation {cluster.Generation}.") with { Data = previousData }
                : await ReconcileAsync(cluster, ct);
        }

        var outcome = await api.ReportClusterStatusAsync(cluster.Id, result.ToReport(ControllerName, cluster.Generation), ct);
        logger.LogInformation("{Controller} reported Available={Available} ({Reason}) for cluster {ClusterId} at generation {Generation}: {Outcome}",
            ControllerName, result.Available, result.Reason, cluster.Id, cluster.Generation, outcome);
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
