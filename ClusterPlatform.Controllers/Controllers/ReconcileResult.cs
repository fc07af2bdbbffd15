using System.Text.Json;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>What one reconcile (or finalize) found: the controller's conditions and data for its status report.</summary>
internal sealed record ReconcileResult(bool Available, string Reason, string Message,
    bool Progressing = false, bool Degraded = false, bool? Finalized = null, object? Data = null)
{
    public static ReconcileResult PreconditionsNotMet(string message) =>
        new(false, "PreconditionsNotMet", message, Progressing: true);

    public StatusReportRequest ToReport(string controller, long generation)
    {
        var conditions = new List<ConditionReport>
        {
            new("Available", Available ? "True" : "False", Reason, Message),
            new("Progressing", Progressing ? "True" : "False", Progressing ? "InProgress" : "Done", Progressing ? Message : ""),
            new("Degraded", Degraded ? "True" : "False", Degraded ? Reason : "AsExpected", Degraded ? Message : ""),
        };
        if (Finalized is { } finalized)
        {
            conditions.Add(new("Finalized", finalized ? "True" : "False", finalized ? "Finalized" : "Finalizing", Message));
        }

        return new StatusReportRequest(controller, generation, conditions, Data is null ? null : JsonSerializer.SerializeToElement(Data, JsonSerializerOptions.Web));
    }
}
