using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>Calls of one kind (method, route template and status) the controllers made to the Api during the burst.</summary>
internal sealed record ApiCallCount(string Call, int Status, long Count, double PerCluster);

/// <summary>
/// One controller's status reports on the burst's clusters: all of them, those with reason
/// PreconditionsNotMet, and of those the repeats (its previous report on the same cluster had that
/// reason too, so this one only said again that it waits).
/// </summary>
internal sealed record StatusReportCount(string Controller, long Reports, long PreconditionsNotMet, long Repeats);

/// <summary>
/// What the burst measured; the seconds count from the first create sent. <paramref name="NotReady"/>
/// clusters were not Ready within <see cref="BurstBenchmark.Patience"/>, and the Ready figures are
/// those of the others.
/// </summary>
internal sealed record BurstResult(
    int Creates, int Writers, double CreatedAfterSeconds, int NotReady, double ReadyAfterSeconds, double ReadyPerSecond, LatencySummary CreateToReady,
    double EventsPerCluster, double StoredReportsPerCluster, IReadOnlyList<ApiCallCount> ControllerCalls, IReadOnlyList<StatusReportCount> Reports)
{
    public long ControllerCallsTotal => ControllerCalls.Sum(c => c.Count);
}

/// <summary>
/// Throughput to Ready: <c>--creates</c> clusters created at once by <c>--writers</c> concurrent
/// clients (a user's token, through the Api), the Controllers on zero-latency simulated providers
/// with the reconcile sweep out of reach, as in the ready suite. Each cluster's Ready time is the
/// <c>lastTransitionTime</c> of its Ready condition, which the report that made it Ready wrote, so no
/// poll's interval is in it; create to Ready runs from the start of its POST. While the burst lasts,
/// and until the Api has had no request for <see cref="Quiet"/>, every controller call is counted
/// from the Api's request log (one line per request: method, route template, status, caller), and
/// every status report's reason from the controllers' report log; both log at Information, their
/// deployed level, for this suite.
/// </summary>
internal static partial class BurstBenchmark
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(2);

    /// <summary>How long after the last create the burst waits for every cluster to be Ready.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(10);

    /// <summary>Api settings this suite needs: its request log at Information (the benchmark's default is Warning).</summary>
    public static readonly IReadOnlyDictionary<string, string> ApiSettings = new Dictionary<string, string>
    {
        ["Logging:LogLevel:ClusterPlatform.Api.Requests"] = "Information",
    };

    // The reconcilers' categories: each report is one Information line (ReconcilerBase).
    private static readonly Dictionary<string, string> ControllerSettings = new() { ["Logging:LogLevel:ClusterPlatform.Controllers.Controllers"] = "Information" };

    /// <param name="countCalls">
    /// False: the logs stay at the benchmark's Warning and no call is counted, to see what the counting's
    /// logs cost the throughput (the Api's settings then leave out <see cref="ApiSettings"/>).
    /// </param>
    public static async Task<BurstResult> RunAsync(BenchmarkEnvironment environment, int creates, int writers, bool countCalls)
    {
        await SoakBenchmark.MakeRoomAsync(environment, creates + 1);
        await environment.StartControllersAsync(countCalls ? ControllerSettings : null);
        using var client = environment.Client("burst");
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);

        // JIT, connections and the Pub/Sub topology in every process, before anything is counted.
        var warmUp = await ApiRequests.CreateClusterAsync(client, "warm-up-burst");
        if (!await ClusterWaits.UntilReadyAsync(client, warmUp, TimeSpan.FromMinutes(2), _ => TimeSpan.FromMilliseconds(20)))
        {
            throw new TimeoutException("The burst's warm-up cluster did not become Ready within 2 minutes.");
        }

        var calls = new ConcurrentDictionary<(string Call, int Status), long>();
        var lastRequest = Stopwatch.GetTimestamp();
        var counting = false;
        environment.Watch(environment.Api, line =>
        {
            // The burst itself never reads through the Api, so every request but its POSTs is a controller's.
            if (Volatile.Read(ref counting) && RequestLine().Match(line) is { Success: true } m && m.Groups["subject"].Value != "benchmark")
            {
                calls.AddOrUpdate(($"{m.Groups["method"].Value} {m.Groups["route"].Value}", int.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture)), 1, (_, n) => n + 1);
            }

            Interlocked.Exchange(ref lastRequest, Stopwatch.GetTimestamp());
        });
        var reports = new List<(string Controller, Guid Cluster, string Reason)>();
        environment.Watch(environment.Controllers!, line =>
        {
            if (ReportLine().Match(line) is { Success: true } m)
            {
                lock (reports)
                {
                    reports.Add((m.Groups["controller"].Value, Guid.Parse(m.Groups["cluster"].Value), m.Groups["reason"].Value));
                }
            }
        });

        // The warm-up's own calls after Ready (every controller handles its last Available too) stay out of the count.
        await (countCalls ? UntilQuietAsync(() => Interlocked.Read(ref lastRequest)) : Task.Delay(Quiet));
        Volatile.Write(ref counting, true);

        Console.Error.WriteLine($"burst: {creates} creates from {writers} concurrent clients…");
        var sent = new ConcurrentDictionary<Guid, DateTime>();
        var started = DateTime.UtcNow;
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i <= creates)
            {
                var at = DateTime.UtcNow;
                var href = await ApiRequests.CreateClusterAsync(client, $"burst-{i}");
                sent[Guid.Parse(href.OriginalString[(href.OriginalString.LastIndexOf('/') + 1)..], CultureInfo.InvariantCulture)] = at;
            }
        }));
        var created = DateTime.UtcNow - started;

        var ids = sent.Keys.ToArray();
        var deadline = DateTime.UtcNow + Patience;
        while (await ReadyCountAsync(database, ids) < ids.Length && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        // Reports go on after Ready (the last Available is an event every controller handles too).
        await (countCalls ? UntilQuietAsync(() => Interlocked.Read(ref lastRequest)) : Task.CompletedTask);
        environment.Watch(environment.Api, null);
        environment.Watch(environment.Controllers!, null);

        var ready = await ReadyTimesAsync(database, ids);
        if (ready.Count < ids.Length)
        {
            Console.Error.WriteLine($"burst: {ids.Length - ready.Count} of {ids.Length} clusters were not Ready {Patience.TotalMinutes:0} minutes after the last create");
        }

        var readyAfter = (ready.Values.Max() - started).TotalSeconds;
        List<(string Controller, Guid Cluster, string Reason)> burstReports;
        lock (reports)
        {
            burstReports = [.. reports.Where(r => sent.ContainsKey(r.Cluster))];
        }

        return new BurstResult(creates, writers, created.TotalSeconds, ids.Length - ready.Count, readyAfter, ready.Count / readyAfter,
            LatencySummary.Of(ready.Select(r => (r.Value - sent[r.Key]).TotalMilliseconds)),
            await EventsPerClusterAsync(database, ids),
            await StoredReportsPerClusterAsync(database, ids),
            [.. calls.OrderBy(c => c.Key.Call, StringComparer.Ordinal).ThenBy(c => c.Key.Status).Select(c => new ApiCallCount(c.Key.Call, c.Key.Status, c.Value, (double)c.Value / creates))],
            Count(burstReports));
    }

    /// <summary>
    /// Until the Api has written no line for <see cref="Quiet"/>, or for a minute at most: clusters not
    /// Ready keep their controllers calling (a requeue every <c>Controllers:RequeueAfter</c>).
    /// </summary>
    private static async Task UntilQuietAsync(Func<long> lastLine)
    {
        var giveUp = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(lastLine()) < Quiet && Stopwatch.GetElapsedTime(giveUp) < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(200);
        }
    }

    private static List<StatusReportCount> Count(List<(string Controller, Guid Cluster, string Reason)> reports)
    {
        const string Waiting = "PreconditionsNotMet";
        return [.. reports.GroupBy(r => r.Controller).OrderBy(g => g.Key, StringComparer.Ordinal).Select(byController =>
        {
            // In log order, which is the order each controller reported in on one cluster (one at a time per cluster).
            var repeats = byController.GroupBy(r => r.Cluster)
                .Sum(byCluster => byCluster.Zip(byCluster.Skip(1)).Count(pair => pair.First.Reason == Waiting && pair.Second.Reason == Waiting));
            return new StatusReportCount(byController.Key, byController.Count(), byController.Count(r => r.Reason == Waiting), repeats);
        })];
    }

    private static async Task<long> ReadyCountAsync(NpgsqlDataSource database, Guid[] ids)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM clusters WHERE id = ANY(@ids) AND phase = 'Ready'");
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>When each cluster that is Ready became so: its Ready condition's lastTransitionTime (RFC 3339, microseconds, UTC).</summary>
    private static async Task<Dictionary<Guid, DateTime>> ReadyTimesAsync(NpgsqlDataSource database, Guid[] ids)
    {
        await using var command = database.CreateCommand("""
            SELECT c.id, r ->> 'lastTransitionTime'
            FROM clusters c CROSS JOIN LATERAL jsonb_array_elements(c.status -> 'conditions') r
            WHERE c.id = ANY(@ids) AND r ->> 'type' = 'Ready' AND r ->> 'status' = 'True'
            """);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync();
        var times = new Dictionary<Guid, DateTime>();
        while (await reader.ReadAsync())
        {
            times[reader.GetGuid(0)] = DateTime.Parse(reader.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        }

        return times;
    }

    /// <summary>Events written for the burst's clusters (the outbox keeps them an hour after publishing).</summary>
    private static async Task<double> EventsPerClusterAsync(NpgsqlDataSource database, Guid[] ids)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM outbox WHERE cluster_id = ANY(@ids)");
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())! / (double)ids.Length;
    }

    /// <summary>
    /// Status reports the Api stored for the burst's clusters (their node pools' included): one
    /// <c>status-report</c> audit entry each. A report that would change nothing is answered without
    /// one (Data/Functions/13_report_status.sql), so this counts writes where the controllers' report
    /// lines count PUTs.
    /// </summary>
    private static async Task<double> StoredReportsPerClusterAsync(NpgsqlDataSource database, Guid[] ids)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM audit_log WHERE cluster_id = ANY(@ids) AND action = 'status-report'");
        command.Parameters.AddWithValue("ids", ids);
        return (long)(await command.ExecuteScalarAsync())! / (double)ids.Length;
    }

    // RequestLogging's line: "{Method} {Route} -> {Status} in {DurationMs} ms by {Subject} (request {RequestId})".
    [GeneratedRegex(@"^\s*(?<method>[A-Z]+) (?<route>\S+) -> (?<status>\d{3}) in [\d.,]+ ms by (?<subject>.+) \(request ")]
    private static partial Regex RequestLine();

    // ReconcilerBase's line: "{Controller} reported Available={Available} ({Reason}) for cluster {ClusterId} at generation {Generation}: {Outcome}".
    [GeneratedRegex(@"^\s*(?<controller>\S+) reported Available=\S+ \((?<reason>[^)]*)\) for cluster (?<cluster>[0-9a-fA-F-]{36}) at generation")]
    private static partial Regex ReportLine();
}
