using System.Globalization;
using System.Text.Json;
using ClusterPlatform.Benchmarks;

// ClusterPlatform benchmarks:
//   dotnet run -c Release --project ClusterPlatform.Benchmarks -- [all|events|status|ready] [--events N] [--writers N] [--backlog N] [--reports N] [--clusters N]
// Prints a table and writes the same figures as JSON to artifacts/benchmarks/<suite>.json.
var suite = args.FirstOrDefault(a => !a.StartsWith("--", StringComparison.Ordinal)) ?? "all";
int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, $"--{name}");
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
}

if (suite is not ("all" or "events" or "status" or "ready"))
{
    Console.Error.WriteLine($"Unknown benchmark '{suite}'. Available: all, events, status, ready.");
    return 2;
}

#if DEBUG
Console.Error.WriteLine("warning: a Debug build; run with -c Release for figures worth quoting.");
#endif

var output = Path.Combine("artifacts", "benchmarks");
Directory.CreateDirectory(output);
async Task WriteAsync(string name, object figures)
{
    var file = Path.Combine(output, $"{name}.json");
    await File.WriteAllTextAsync(file, JsonSerializer.Serialize(figures, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true }));
    Console.WriteLine($"Figures written to {file}");
}

// The scheduler is pushed out so the only events are the ones the benchmark causes.
await using var environment = await BenchmarkEnvironment.StartAsync(new Dictionary<string, string> { ["Reconcile:NotReadyAfter"] = "01:00:00" });

if (suite is "all" or "events")
{
    var result = await EventsBenchmark.RunAsync(environment, Option("events", 1000), Option("writers", 8), Option("backlog", 10_000));
    Console.WriteLine();
    Console.WriteLine($"Events: commit to handler start, {result.Events} cluster.created events from {result.Writers} concurrent writers");
    Console.WriteLine($"  {"p50",-10}{"p95",-10}{"p99",-10}{"max",-10}");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {result.P50Ms,-10:0.0}{result.P95Ms,-10:0.0}{result.P99Ms,-10:0.0}{result.MaxMs,-10:0.0}(ms)"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  of which commit to published (database, relay) p50 {result.CommitToPublishedP50Ms:0.0} ms, p99 {result.CommitToPublishedP99Ms:0.0} ms; published to handler (Pub/Sub, subscriber) p50 {result.PublishedToHandlerP50Ms:0.0} ms, p99 {result.PublishedToHandlerP99Ms:0.0} ms"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Relay throughput: {result.RelayEventsPerSecond:0} events/s ({result.RelayEvents} queued events)"));
    await WriteAsync("events", result);
}

if (suite is "all" or "status")
{
    var results = await StatusReportBenchmark.RunAsync(environment, [1_000, 100_000], Option("reports", 1000));
    Console.WriteLine();
    Console.WriteLine("Status reports: PUT /api/v1/clusters/{id}/status, one client, random clusters");
    Console.WriteLine($"  {"clusters",-10}{"reports",-10}{"p50",-10}{"p99",-10}{"mean",-10}");
    foreach (var r in results)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Clusters,-10}{r.Reports,-10}{r.P50Ms,-10:0.00}{r.P99Ms,-10:0.00}{r.MeanMs,-10:0.00}(ms)"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  p50 at {results[^1].Clusters} vs {results[0].Clusters} clusters: {results[^1].P50Ms / results[0].P50Ms * 100 - 100:+0;-0}% (goal: within 20%)"));
    await WriteAsync("status", results);
}

// Last: the Controllers would compete for the subscription the events suite listens on.
if (suite is "all" or "ready")
{
    var result = await ReadyBenchmark.RunAsync(environment, Option("clusters", 50), 4);
    Console.WriteLine();
    Console.WriteLine($"Create to Ready: {result.Clusters} clusters, {result.Concurrency} at a time, zero-latency simulated providers, no reconcile sweep");
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  p50 {result.P50Ms:0} ms   p99 {result.P99Ms:0} ms   max {result.MaxMs:0} ms (goal: p50 under 1,000 ms)"));
    await WriteAsync("ready", result);
}

return 0;
