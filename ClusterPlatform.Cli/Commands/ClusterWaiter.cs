using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;
using Microsoft.Kiota.Abstractions;
using Spectre.Console;

namespace ClusterPlatform.Cli.Commands;

/// <summary>What <c>cpctl cluster wait --for</c> waits for.</summary>
public enum WaitTarget
{
    Ready,
    Deleted,
    Upgraded,
}

/// <summary>
/// Polls a cluster until the target holds (exit 0), it failed (exit 1: phase Failed or Degraded=True,
/// with the reason) or the timeout passed (exit 2). On a terminal it shows each controller's state live;
/// elsewhere it prints one line whenever the state changes, for CI logs.
/// Each poll after the first is conditional (<c>If-None-Match</c> with the last ETag): the ETag covers
/// the status (docs/api.md, ETags), so a 304 means the copy in hand is still exact, and the Api answers
/// it from the row's version without building a body.
/// </summary>
public sealed class ClusterWaiter(Session session)
{
    public async Task<int> WaitAsync(Guid id, WaitTarget target, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        if (session.Environment.IsTerminal && session.Format == Output.OutputFormat.Table)
        {
            var result = ExitCodes.Timeout;
            await AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(session.Out) })
                .Live(new Text("waiting…"))
                .StartAsync(async live => result = await PollAsync(id, target, timeout, (cluster, _) =>
                {
                    live.UpdateTarget(LiveTable(cluster));
                    live.Refresh();
                }, deadline.Token, cancellationToken));
            return result;
        }

        string? previous = null;
        return await PollAsync(id, target, timeout, (_, line) =>
        {
            if (line != previous)
            {
                session.Out.WriteLine(line);
                previous = line;
            }
        }, deadline.Token, cancellationToken);
    }

    private async Task<int> PollAsync(Guid id, WaitTarget target, TimeSpan timeout, Action<Cluster, string> show, CancellationToken deadline, CancellationToken caller)
    {
        Cluster? last = null;
        string? etag = null;
        while (true)
        {
            try
            {
                (last, etag) = await ReadAsync(id, last, etag, deadline);
            }
            catch (ApiException e) when (e.ResponseStatusCode == 404 && target == WaitTarget.Deleted)
            {
                session.Out.WriteLine($"cluster {last?.Name ?? id.ToString()} deleted");
                return ExitCodes.Success;
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !caller.IsCancellationRequested)
            {
                return TimedOut(target, timeout, last);
            }

            show(last!, Line(last!));
            var (done, failure) = Verdict(last!, target);
            if (failure is not null)
            {
                session.Error.WriteLine($"cluster {last!.Name} failed: {failure}");
                return ExitCodes.Failure;
            }

            if (done)
            {
                session.Out.WriteLine($"cluster {last!.Name} is {(target == WaitTarget.Upgraded ? $"upgraded to {last.Status?.Version?.Current}" : "ready")}");
                return ExitCodes.Success;
            }

            try
            {
                await Task.Delay(session.Environment.PollInterval, deadline);
            }
            catch (OperationCanceledException) when (!caller.IsCancellationRequested)
            {
                return TimedOut(target, timeout, last);
            }
        }
    }

    /// <summary>The cluster, read in full or revalidated against the copy in hand (<see cref="ConditionalClusterRead"/>).</summary>
    private Task<(Cluster Cluster, string? ETag)> ReadAsync(Guid id, Cluster? copy, string? etag, CancellationToken ct) =>
        ConditionalClusterRead.ReadAsync(session.Client, id, copy, etag, ct);

    private int TimedOut(WaitTarget target, TimeSpan timeout, Cluster? last)
    {
        session.Error.WriteLine($"timed out after {timeout} waiting for {WaitName(target)}; cluster {last?.Name} is {(last is null ? "unknown" : Line(last))}");
        return ExitCodes.Timeout;
    }

    /// <summary>Done, or failed with the reason; the rules of docs/api.md "Aggregation".</summary>
    internal static (bool Done, string? Failure) Verdict(Cluster cluster, WaitTarget target)
    {
        var status = cluster.Status;
        var degraded = status?.Conditions?.FirstOrDefault(c => c.Type == "Degraded" && c.Status == Condition_status.True);
        if (target != WaitTarget.Deleted && (status?.Phase == ResourceStatus_phase.Failed || degraded is not null))
        {
            return (false, $"{degraded?.Reason ?? "Failed"}: {degraded?.Message ?? "phase Failed"}");
        }

        if (target != WaitTarget.Deleted && cluster.DeletionTimestamp is not null)
        {
            return (false, "the cluster is being deleted");
        }

        var ready = status?.Phase == ResourceStatus_phase.Ready;
        return target switch
        {
            WaitTarget.Ready => (ready, null),
            // Upgraded: HyperShift reports the spec's version as current, and its newest history entry Completed.
            WaitTarget.Upgraded => (ready && status?.Version is { } v && v.Current == v.Desired
                && v.History?.FirstOrDefault()?.State == VersionHistoryEntry_state.Completed, null),
            _ => (false, null),
        };
    }

    /// <summary>One line of state: phase, version and each controller's Available/Degraded, changes only.</summary>
    private static string Line(Cluster cluster)
    {
        var status = cluster.Status;
        var controllers = string.Join(" ", (status?.Controllers ?? []).OrderBy(c => WireEnum.Name(c.Name), StringComparer.Ordinal)
            .Select(c => $"{WireEnum.Name(c.Name)}={Condition(c, "Available")}{(Condition(c, "Degraded") == "True" ? "(Degraded)" : "")}"));
        return $"phase={WireEnum.Name(status?.Phase)} version={status?.Version?.Current ?? "-"}->{status?.Version?.Desired ?? "-"} {controllers}".TrimEnd();
    }

    private static string Condition(ControllerStatus report, string type) =>
        WireEnum.Name((report.Conditions ?? []).FirstOrDefault(c => c.Type == type)?.Status) is { Length: > 0 } s ? s : "-";

    private static Table LiveTable(Cluster cluster)
    {
        var table = new Table().Title($"{cluster.Name}: {WireEnum.Name(cluster.Status?.Phase)}");
        table.AddColumns("CONTROLLER", "AVAILABLE", "PROGRESSING", "DEGRADED", "MESSAGE");
        foreach (var report in (cluster.Status?.Controllers ?? []).OrderBy(c => WireEnum.Name(c.Name), StringComparer.Ordinal))
        {
            var available = (report.Conditions ?? []).FirstOrDefault(c => c.Type == "Available");
            table.AddRow(
                Markup.Escape(WireEnum.Name(report.Name)), Condition(report, "Available"), Condition(report, "Progressing"),
                Condition(report, "Degraded"), Markup.Escape(available?.Message ?? ""));
        }

        return table;
    }

    private static string WaitName(WaitTarget target) => target.ToString().ToLowerInvariant();
}
