using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Benchmarks;

/// <summary>Create to Ready through the whole chain of controllers.</summary>
internal sealed record ReadyResult(int Concurrency, LatencySummary Latency);

/// <summary>
/// Time from POST to phase Ready with the four controllers on zero-latency simulated providers, with
/// the reconcile sweep pushed out of reach: every step is driven by events alone.
/// </summary>
internal static class ReadyBenchmark
{
    public static async Task<ReadyResult> RunAsync(BenchmarkEnvironment environment, int clusters, int concurrency)
    {
        await environment.StartControllersAsync();
        using var client = environment.Client("ready");
        Console.Error.WriteLine($"ready: {clusters} clusters, {concurrency} at a time…");
        await TimeAsync(client, "ready-warm-up"); // JIT and connections in every process

        var next = 0;
        var times = new List<double>();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i <= clusters)
            {
                var elapsed = await TimeAsync(client, $"ready-{i}");
                lock (times)
                {
                    times.Add(elapsed);
                }
            }
        }));

        return new ReadyResult(concurrency, LatencySummary.Of(times));
    }

    private static async Task<double> TimeAsync(HttpClient client, string name)
    {
        var started = Stopwatch.GetTimestamp();
        var href = await ApiRequests.CreateClusterAsync(client, name);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            var cluster = await client.GetFromJsonAsync<JsonObject>(href);
            if (cluster!["status"]!["phase"]!.GetValue<string>() == "Ready")
            {
                return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{name} did not become Ready within 2 minutes.");
            }

            await Task.Delay(10);
        }
    }
}
