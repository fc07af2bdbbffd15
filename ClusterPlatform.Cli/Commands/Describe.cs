using ClusterPlatform.Cli.Output;
using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Cli.Commands;

/// <summary>
/// <c>cpctl cluster describe</c> as tables: the cluster's phase, versions and URLs, each condition, and
/// each controller's last report with its conditions, what a person reads to see why a cluster is stuck.
/// </summary>
public static class Describe
{
    public static void Write(TextWriter output, Cluster c, IReadOnlyList<NodePool> pools)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(c);
        var status = c.Status;
        new TextTable("FIELD", "VALUE")
            .Add("Name", c.Name).Add("Id", c.Id?.ToString()).Add("Organization", c.Organization)
            .Add("Phase", WireEnum.Name(status?.Phase))
            .Add("Generation", $"{c.Generation} (observed {status?.ObservedGeneration})")
            .Add("Version", $"desired {status?.Version?.Desired ?? c.Spec?.Release?.Version}, current {status?.Version?.Current ?? "-"}")
            .Add("Channel group", WireEnum.Name(c.Spec?.Release?.ChannelGroup))
            .Add("Project", c.Spec?.Gcp?.ProjectId).Add("Region", WireEnum.Name(c.Spec?.Gcp?.Region)).Add("Infra id", c.Spec?.Gcp?.InfraId)
            .Add("Base domain", c.Spec?.Dns?.BaseDomain)
            .Add("API URL", status?.ApiUrl).Add("Console URL", status?.ConsoleUrl)
            .Add("Labels", string.Join(",", (c.Labels?.AdditionalData ?? new Dictionary<string, object>()).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")))
            .Add("Created", $"{Tables.Time(c.CreatedAt)} by {c.CreatedBy}")
            .Add("Deleting since", Tables.Time(c.DeletionTimestamp))
            .WriteTo(output);

        output.WriteLine();
        output.WriteLine("Conditions:");
        Conditions(status?.Conditions).WriteTo(output);

        output.WriteLine();
        output.WriteLine("Controllers:");
        var controllers = new TextTable("CONTROLLER", "GENERATION", "REPORTED", "AVAILABLE", "PROGRESSING", "DEGRADED", "MESSAGE");
        foreach (var report in (status?.Controllers ?? []).OrderBy(r => WireEnum.Name(r.Name), StringComparer.Ordinal))
        {
            controllers.Add(
                WireEnum.Name(report.Name), report.ObservedGeneration?.ToString(System.Globalization.CultureInfo.InvariantCulture), Tables.Time(report.LastReportTime),
                State(report, "Available"), State(report, "Progressing"), State(report, "Degraded"),
                Message(report));
        }

        controllers.WriteTo(output);

        output.WriteLine();
        output.WriteLine("Node pools:");
        var table = Tables.NodePools();
        foreach (var pool in pools)
        {
            table.Add(Tables.Row(pool));
        }

        table.WriteTo(output);
    }

    private static TextTable Conditions(List<Condition>? conditions)
    {
        var table = new TextTable("TYPE", "STATUS", "REASON", "SINCE", "MESSAGE");
        foreach (var condition in conditions ?? [])
        {
            table.Add(condition.Type, WireEnum.Name(condition.Status), condition.Reason, Tables.Time(condition.LastTransitionTime), condition.Message);
        }

        return table;
    }

    private static string State(ControllerStatus report, string type) =>
        (report.Conditions ?? []).FirstOrDefault(c => c.Type == type) is { } c ? $"{WireEnum.Name(c.Status)} ({c.Reason})" : "";

    /// <summary>The message that explains the report: a Degraded one, else the Available one.</summary>
    private static string? Message(ControllerStatus report)
    {
        var conditions = report.Conditions ?? [];
        return conditions.FirstOrDefault(c => c.Type == "Degraded" && c.Status == Condition_status.True)?.Message
            ?? conditions.FirstOrDefault(c => c.Type == "Available")?.Message;
    }
}
