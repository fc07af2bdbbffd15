using System.Diagnostics;

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
        if (!await ClusterWaits.UntilReadyAsync(client, href, TimeSpan.FromMinutes(2), _ => TimeSpan.FromMilliseconds(10)))
        {
            throw new TimeoutException($"{name} did not become Ready within 2 minutes.");
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }
}
