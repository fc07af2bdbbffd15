using System.Globalization;
using ClusterPlatform.Benchmarks;
using Npgsql;

// ClusterPlatform benchmarks:
//   dotnet run -c Release --project ClusterPlatform.Benchmarks -- [all|events|scale|throughput|floor|ready|soak|burst]
//       [--events N] [--writers N] [--backlog N] [--reports N] [--seconds N] [--clusters N]
//       soak: [--duration SECONDS] [--rate CREATES_PER_MINUTE] [--active SECONDS] [--idle SECONDS]
//       floor: [--clients N (one client count instead of 1, 8 and 32)]
//       burst: [--creates N] [--writers N] [--calls 0 (no Api calls counted, the logs at Warning)]
// Prints one table and writes the same figures as JSON to artifacts/benchmarks/<suite>.json.
// `all` is every suite but the soak, which takes 10 minutes by default, and the burst, which turns
// on the Api's request log and raises the fleet's capacity; they run only by name.
string[] suites = ["all", "events", "scale", "throughput", "floor", "ready", "soak", "burst"];
var suite = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, $"--{name}");
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

if (!suites.Contains(suite))
{
    Console.Error.WriteLine($"Unknown benchmark '{suite}'. Available: {string.Join(", ", suites)}.");
    return 2;
}

bool Runs(string name) => suite == name || (suite == "all" && name is not ("soak" or "burst"));
static string Goal(bool met, string goal) => $"goal {goal}: {(met ? "met" : "MISSED")}";
static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

#if DEBUG
Console.Error.WriteLine("warning: a Debug build; run with -c Release for figures worth quoting.");
#endif

var started = DateTime.UtcNow;
var report = new BenchmarkReport();
var loadSeconds = TimeSpan.FromSeconds(Option("seconds", 5));
const int LargeTable = 100_000;

var countBurstCalls = Option("calls", 1) != 0;

// The scheduler is pushed out so the only events are the ones the benchmark causes. The soak runs
// the services at Information, as deployed, to measure what they log.
var serviceLogging = new Dictionary<string, string> { ["Logging:LogLevel:Default"] = "Information" };
await using var environment = await BenchmarkEnvironment.StartAsync(new Dictionary<string, string> { ["Reconcile:NotReadyAfter"] = BenchmarkEnvironment.NotReadyAfter }
    .Concat(Runs("soak") ? serviceLogging : []).Concat(Runs("burst") && countBurstCalls ? BurstBenchmark.ApiSettings : []).ToDictionary());

// First: it listens on a controller's subscription, and counts on a table without the load tests' rows.
if (Runs("events"))
{
    var events = await EventsBenchmark.RunAsync(environment, Option("events", 1000), Option("writers", 8), Option("backlog", 10_000));
    report.Detail("events", events);
    var latency = events.CommitToHandler;
    report.Add(new ReportRow($"Events: commit to handler ({latency.Count} creates)", events.Writers, latency.P50Ms, latency.P99Ms, events.CreatesPerSecond,
        Note: Invariant($"creates/s; p95 {latency.P95Ms:0.0}, max {latency.MaxMs:0.0}; {Goal(latency.P99Ms < 50, "p99 < 50 ms")}")));
    report.Add(new ReportRow("  of which commit to published (database, relay)", null, events.CommitToPublished.P50Ms, events.CommitToPublished.P99Ms));
    report.Add(new ReportRow("  of which published to handler (Pub/Sub)", null, events.PublishedToHandler.P50Ms, events.PublishedToHandler.P99Ms));
    report.Add(new ReportRow(Invariant($"Relay: a backlog of {events.RelayEvents:#,0} events"), PerSecond: events.RelayEventsPerSecond, Note: "events/s"));
    var floor = events.Floor.PublishToHandler;
    report.Add(new ReportRow($"Pub/Sub alone: publish to handler ({floor.Count} messages)", events.Floor.Publishers, floor.P50Ms, floor.P99Ms, events.Floor.AchievedPerSecond,
        Note: Invariant($"messages/s, paced to the creates' {events.Floor.TargetPerSecond:0}/s; no database or Api; max {floor.MaxMs:0.0}")));
    report.Add(new ReportRow("  events / Pub/Sub alone, at the same rate", Note: Invariant(
        $"p50 {latency.P50Ms / floor.P50Ms:0.0}×, p99 {latency.P99Ms / floor.P99Ms:0.0}×; {Goal(latency.P99Ms <= 1.5 * floor.P99Ms, "p99 ≤ 1.5×")}")));
}

SeededRange? seeded = null;
if (Runs("scale"))
{
    (var scale, seeded) = await ScaleBenchmark.RunAsync(environment, [1_000, LargeTable], Option("reports", 1000), loadSeconds);
    report.Detail("scale", scale);
    string Growth(Func<ScaleResult, double> p50) => Invariant($"p50 {p50(scale[^1]) / p50(scale[0]) * 100 - 100:+0;-0}% vs {scale[0].Clusters:#,0}");
    foreach (var s in scale)
    {
        var last = s == scale[^1];
        report.Add(new ReportRow(Invariant($"Status report at {s.Clusters:#,0} clusters"), 1, s.StatusReport.P50Ms, s.StatusReport.P99Ms,
            Note: last ? $"{Growth(r => r.StatusReport.P50Ms)}; {Goal(Math.Abs(scale[^1].StatusReport.P50Ms / scale[0].StatusReport.P50Ms - 1) <= 0.2, "within 20%")}" : ""));
    }

    foreach (var s in scale)
    {
        report.Add(new ReportRow(Invariant($"List {ApiRequests.ListSelector}, first page, at {s.Clusters:#,0}"), 1, s.List.P50Ms, s.List.P99Ms,
            Note: s == scale[^1] ? Growth(r => r.List.P50Ms) : ""));
    }
}

// The throughput and floor suites read random clusters of the 100,000 the scale suite seeds, or seed them here.
async Task<SeededRange> SeededAsync()
{
    if (seeded is null)
    {
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);
        (_, seeded) = await ClusterSeed.TopUpAsync(database, LargeTable);
    }

    return seeded ?? throw new InvalidOperationException("The table already had 100,000 clusters, none of them seeded.");
}

if (Runs("throughput"))
{
    var throughput = await ThroughputBenchmark.RunAsync(environment, await SeededAsync(), [1, 8, 32], loadSeconds);
    report.Detail("throughput", throughput);
    foreach (var load in throughput.Loads)
    {
        report.Add(load);
        if (throughput.Ratios.SingleOrDefault(r => r.Pgbench == load.Operation && r.Clients == load.Clients) is { } ratio)
        {
            report.Add(new ReportRow($"  {ratio.Api.Split(' ')[1]} / pgbench", ratio.Clients,
                Note: Invariant($"{ratio.Ratio:P0} of pgbench; {Goal(ratio.Met, $"≥ {ratio.Goal:P0}")}")));
        }
    }
}

if (Runs("floor"))
{
    if (!Wrk.Installed)
    {
        throw new InvalidOperationException($"The floor suite drives its load with wrk, which is not at {Wrk.Executable}: apt-get install wrk.");
    }

    // One client count on request: a third of the run, for comparing builds at the count a goal is set for.
    int[] clientCounts = Option("clients", 0) is > 0 and var only ? [only] : [1, 8, 32];
    var floor = await FloorBenchmark.RunAsync(environment, await SeededAsync(), clientCounts, loadSeconds);
    report.Detail("floor", floor);
    static string Cost(WrkLoad load, string server) =>
        Invariant($"wrk CPU {load.ClientCpuShare:P0} of a core ({load.ClientCpuUsPerRequest:0} µs a request); {server} CPU {load.ServerCpuMsPerRequest:0.000} ms a request; {load.BytesPerResponse:#,0} B a response");
    foreach (var c in floor.Comparisons)
    {
        report.Add(c.Api.Load, Cost(c.Api, "Api"));
        report.Add(c.Floor.Load, Cost(c.Floor, "floor"));
        if (c.Pgbench is { } pgbench)
        {
            report.Add(pgbench);
        }

        var p50 = Invariant($"p50 {c.P50OverFloor:0.0}× the floor's");
        if (c.Operation == FloorBenchmark.Get && c.Clients == 1)
        {
            p50 += "; " + Goal(c.P50OverFloor <= FloorBenchmark.GetP50OverFloorGoal, Invariant($"p50 ≤ {FloorBenchmark.GetP50OverFloorGoal}× the floor's"));
        }

        report.Add(new ReportRow($"  API / floor, {c.Operation}", c.Clients,
            Note: Invariant($"{c.OfFloor:P0} of the floor (median of {c.RoundRatios.Count} alternating rounds, {c.RoundRatios.Min():P0}–{c.RoundRatios.Max():P0}; pooled {c.PooledOfFloor:P0}); {p50}") + (c.Goal is { } goal ? "; " + Goal(c.OfFloor >= goal, Invariant($"≥ {goal:P0}")) : "")));
        if (c.OfPgbench is { } ofPgbench)
        {
            report.Add(new ReportRow($"  API / pgbench, {c.Operation}", c.Clients, Note: Invariant($"{ofPgbench:P0} of pgbench (floor / pgbench {c.Floor.Load.RequestsPerSecond / c.Pgbench!.RequestsPerSecond:P0})")));
        }
    }

    foreach (var d in floor.DotnetClient)
    {
        report.Add(d.Load, Invariant($"the throughput suite's client: its CPU {d.ClientCpuShare:P0} of a core ({d.ClientCpuUsPerRequest:0} µs a request); Api CPU {d.ApiCpuMsPerRequest:0.000} ms a request"));
    }
}

// Last: the Controllers would compete for the subscription the events suite listens on, and for the machine.
if (Runs("ready"))
{
    var drained = await SubscriptionDrain.DrainAsync(environment);
    Console.Error.WriteLine($"ready: drained {drained} events earlier suites left in the controllers' subscriptions");
    var ready = await ReadyBenchmark.RunAsync(environment, Option("clusters", 50), 4);
    report.Detail("ready", ready);
    report.Add(new ReportRow($"Create to Ready ({ready.Latency.Count} clusters)", ready.Concurrency, ready.Latency.P50Ms, ready.Latency.P99Ms,
        Note: Invariant($"max {ready.Latency.MaxMs:0}; {Goal(ready.Latency.P50Ms < 1000, "p50 < 1,000 ms")}")));
}

if (Runs("burst"))
{
    var burst = await BurstBenchmark.RunAsync(environment, Option("creates", 1000), Option("writers", 8), countBurstCalls);
    report.Detail("burst", burst);
    var toReady = burst.CreateToReady;
    report.Add(new ReportRow(Invariant($"Burst: {burst.Creates:#,0} creates, clusters reaching Ready"), burst.Writers, PerSecond: burst.ReadyPerSecond,
        Note: Invariant($"Ready/s: the last Ready {burst.ReadyAfterSeconds:0.0} s after the first create; creates took {burst.CreatedAfterSeconds:0.0} s; {burst.NotReady} not Ready")));
    report.Add(new ReportRow("  create to Ready", null, toReady.P50Ms, toReady.P99Ms, Note: Invariant($"p90 {toReady.P90Ms:0}, max {toReady.MaxMs:0}")));
    report.Add(new ReportRow("  controller calls to the Api per cluster", Note: burst.ControllerCalls.Count == 0 ? Invariant($"not counted; {burst.EventsPerCluster:0.0} events") : Invariant(
        $"{burst.ControllerCallsTotal / (double)burst.Creates:0.0}: {string.Join(", ", burst.ControllerCalls.Select(c => $"{c.Call} {c.Status} {c.PerCluster:0.0}"))}; {burst.EventsPerCluster:0.0} events")));
    report.Add(new ReportRow("  status reports stored per cluster (audit entries)", Note: Invariant($"{burst.StoredReportsPerCluster:0.0}")));
    foreach (var r in burst.Reports)
    {
        report.Add(new ReportRow($"  status reports by {r.Controller} per cluster", Note: Invariant(
            $"{r.Reports / (double)burst.Creates:0.0}, of which PreconditionsNotMet {r.PreconditionsNotMet / (double)burst.Creates:0.0} ({r.Repeats / (double)burst.Creates:0.0} repeats)")));
    }
}

if (Runs("soak"))
{
    var soak = await SoakBenchmark.RunAsync(environment, new SoakSettings(TimeSpan.FromSeconds(Option("duration", 600)),
        TimeSpan.FromSeconds(Option("active", 60)), TimeSpan.FromSeconds(Option("idle", 120)), Option("rate", 60)), serviceLogging);
    report.Detail("soak", soak);
    string Spread(LatencySummary l) => Invariant($"p90 {l.P90Ms:0}, max {l.MaxMs:0}");
    void Latency(string what, LatencySummary? latency)
    {
        report.Add(latency is null
            ? new ReportRow($"Soak: {what} (none)")
            : new ReportRow($"Soak: {what} ({latency.Count})", P50Ms: latency.P50Ms, P99Ms: latency.P99Ms, Note: Spread(latency)));
    }

    var settings = soak.Settings;
    Latency(Invariant($"create to Ready, steady, {settings.CreatesPerMinute}/min"), soak.Steady);
    Latency(Invariant($"create to Ready, first {SoakSettings.AfterIdleWindow.TotalSeconds:0} s after {soak.IdleGaps} idle gap(s) of {settings.Idle.TotalSeconds:0} s"), soak.AfterIdle);
    foreach (var stretch in soak.Stretches)
    {
        Latency(Invariant($"stretch {stretch.Index} from {TimeSpan.FromSeconds(stretch.StartSeconds):m\\:ss}{(stretch.AfterGap ? ", after a gap" : "")}: create to Ready, {stretch.Created - stretch.Lost} of {stretch.Created}"), stretch.Ready);
    }

    Latency("delete to gone", soak.DeleteToGone);
    report.Add(new ReportRow(Invariant($"Soak: lost (created, never Ready within {SoakSettings.Patience.TotalMinutes:0} min)"), Note: Invariant($"{soak.Lost} of {soak.Created}")));
    report.Add(new ReportRow(Invariant($"Soak: stuck (deleted, never gone within {SoakSettings.Patience.TotalMinutes:0} min)"), Note: Invariant($"{soak.Stuck}")));
    report.Add(new ReportRow("Soak: failed API calls (create or delete)", Note: Invariant($"{soak.Errors}")));
    report.Add(new ReportRow("Soak: unpublished outbox rows at the end", Note: Invariant($"{soak.UnpublishedOutboxRows}")));
    report.Add(new ReportRow("Soak: dead letters at the end", Note: Invariant($"{soak.DeadLetters}")));
    static string Mb(double? mb) => mb is { } value ? Invariant($"{value:0}") : "-";
    // One sample a minute (and the last) keeps the table short; the JSON has every sample.
    foreach (var sample in soak.Rss.Where((s, i) => s.AtSeconds % 60 < 15 || i == soak.Rss.Count - 1))
    {
        report.Add(new ReportRow(Invariant($"Soak: RSS MB at {TimeSpan.FromSeconds(sample.AtSeconds):m\\:ss} ({sample.Phase})"),
            Note: $"Api {Mb(sample.ApiMb)}, Controllers {Mb(sample.ControllersMb)}, emulator {Mb(sample.EmulatorMb)}"));
    }

    foreach (var log in soak.Logs)
    {
        var output = log.Output;
        report.Add(new ReportRow($"Soak: console log of the {log.Process} at Information",
            Note: Invariant($"{output.Bytes / 1024.0:#,0} KB; {output.Information:#,0} Information entries ({(double)output.Information / Math.Max(1, soak.Created):0.0} per cluster), {output.Warnings:#,0} Warning or above")));
    }
}

// VmHWM is a peak since each process started, so reading it here covers the whole run.
var memory = new[] { ProcessMemory.Read("Api", environment.Api) }
    .Concat(environment.Controllers is { } controllers ? [ProcessMemory.Read("Controllers", controllers)] : [])
    .ToList();
report.Detail("memory", memory);
foreach (var m in memory)
{
    report.Add(new ReportRow($"Peak RSS of the {m.Process}", Note: Invariant($"{m.PeakRssMb:0} MB (at the end: {m.RssMb:0} MB)")));
}

Console.WriteLine();
Console.WriteLine(report.Table());
var file = await report.WriteJsonAsync(suite, started);
Console.WriteLine($"Figures written to {file} ({(DateTime.UtcNow - started).TotalMinutes:0.0} min, {Environment.ProcessorCount} cores)");
return 0;
