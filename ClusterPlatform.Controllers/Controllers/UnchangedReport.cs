using System.Text.Json;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Whether a report would tell the Api nothing its reading does not already say, so the controller
/// need not send it. Most handlings are such repeats: every event wakes all four controllers, and a
/// controller whose inputs did not move decides what it decided before. The Api answers such a report
/// without a write (<c>report_unchanged</c> in ClusterPlatform.Api/Data/Functions/13_report_status.sql);
/// not sending it also saves the request. This is that function's rule, read from the same entry the
/// reading returned: the same observedGeneration, the same conditions (type, status, reason, message,
/// in order) and the same data. When the two could disagree (a number written differently) this says
/// "changed" and the report is sent, which is always safe: the Api then decides.
/// </summary>
internal static class UnchangedReport
{
    /// <summary>
    /// True when <paramref name="report"/> repeats <paramref name="entry"/> at the resource's current
    /// <paramref name="generation"/>. Never while the resource is deleting: finalization's reports are
    /// what lets the Api delete it, so they always go (as the Api stores them).
    /// </summary>
    public static bool Repeats(ControllerStatus? entry, StatusReportRequest report, long generation, bool deleting) =>
        !deleting
        && entry is not null
        && report.ObservedGeneration == generation
        && entry.ObservedGeneration == report.ObservedGeneration
        && SameConditions(entry.Conditions, report.Conditions)
        && SameData(entry.Data, report.Data);

    private static bool SameConditions(IReadOnlyList<Condition> stored, IReadOnlyList<ConditionReport> reported) =>
        stored.Count == reported.Count
        && stored.Zip(reported).All(pair => pair.First.Type == pair.Second.Type
                                            && pair.First.Status == pair.Second.Status
                                            && pair.First.Reason == pair.Second.Reason
                                            && (pair.First.Message ?? "") == (pair.Second.Message ?? ""));

    /// <summary>The Api's null and an absent <c>data</c> are the same (SQL NULL); otherwise JSON equality.</summary>
    private static bool SameData(JsonElement? stored, JsonElement? reported)
    {
        var storedNull = stored is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        var reportedNull = reported is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        return storedNull || reportedNull ? storedNull && reportedNull : JsonElement.DeepEquals(stored!.Value, reported!.Value);
    }
}
