using System.Text.Json;
using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// What one reconcile (or finalize) found: the controller's conditions and data for its status
/// report, and what happens next. Three outcomes: done (ack and wait for the next event), retry
/// after (<see cref="RetryAfter"/>: ack, report what it waits for, look again in process), and
/// failed for good (<see cref="Degraded"/> from a permanent provider failure: ack, since the same
/// request cannot succeed until something changes). A transient provider failure is not a result:
/// the controller reports it as Progressing and nacks the event for redelivery.
/// Progressing and Degraded carry <see cref="Message"/>; their reasons are "InProgress" and
/// <see cref="Reason"/> unless <see cref="ProgressingReason"/> or <see cref="DegradedReason"/> name
/// another (an upgrade's "Upgrading", HyperShift's own reason for a failed rollout while Available).
/// </summary>
internal sealed record ReconcileResult(bool Available, string Reason, string Message,
    bool Progressing = false, bool Degraded = false, bool? Finalized = null, object? Data = null, TimeSpan? RetryAfter = null,
    string? ProgressingReason = null, string? DegradedReason = null)
{
    public const string PreconditionsNotMetReason = "PreconditionsNotMet";

    public static ReconcileResult PreconditionsNotMet(string message) =>
        new(false, PreconditionsNotMetReason, message, Progressing: true);

    /// <summary>The provider said the request cannot succeed as it is (a refused object, a missing setting).</summary>
    public static ReconcileResult FailedForGood(ProviderException failure, bool? finalized) =>
        new(false, "ProviderError", failure.Message, Degraded: true, Finalized: finalized);

    /// <summary>Reported before the nack of a transient failure; Available stays what it was, since nothing is known to have changed.</summary>
    public static ReconcileResult TransientFailure(ProviderException failure, bool wasAvailable, bool? finalized) =>
        new(wasAvailable, wasAvailable ? "Available" : "ProviderUnavailable", failure.Message, Progressing: true, Finalized: finalized);

    /// <summary>The report, made from a reading at <paramref name="generation"/> whose entry of this controller had <paramref name="version"/>.</summary>
    public StatusReportRequest ToReport(string controller, long generation, long version)
    {
        var message = Clean(Message);
        var conditions = new List<ConditionReport>
        {
            new("Available", Available ? "True" : "False", Reason, message),
            new("Progressing", Progressing ? "True" : "False", Progressing ? ProgressingReason ?? "InProgress" : "Done", Progressing ? message : ""),
            new("Degraded", Degraded ? "True" : "False", Degraded ? DegradedReason ?? Reason : "AsExpected", Degraded ? message : ""),
        };
        if (Finalized is { } finalized)
        {
            conditions.Add(new("Finalized", finalized ? "True" : "False", finalized ? "Finalized" : "Finalizing", message));
        }

        return new StatusReportRequest(controller, generation, conditions, Data is null ? null : JsonSerializer.SerializeToElement(Data, JsonSerializerOptions.Web), version);
    }

    /// <summary>
    /// Provider messages come from outside (Kubernetes, Google): a NUL cannot be stored in the Api's
    /// jsonb, and a message over the Api's limit is refused; either would fail this controller's
    /// reports forever. Cut at a character boundary, never inside a surrogate pair.
    /// </summary>
    private static string Clean(string message)
    {
        var clean = message.Replace('\0', ' ');
        if (clean.Length <= ConditionReport.MaxMessageLength)
        {
            return clean;
        }

        var cut = ConditionReport.MaxMessageLength - 1;
        if (char.IsHighSurrogate(clean[cut - 1]))
        {
            cut--;
        }

        return string.Concat(clean.AsSpan(0, cut), "…");
    }
}
