using System.Diagnostics;

namespace ClusterPlatform.Benchmarks;

/// <summary>Throughput and latency of one operation under a fixed number of concurrent clients.</summary>
internal sealed record LoadResult(string Operation, int Clients, double Seconds, double RequestsPerSecond, LatencySummary Latency);

/// <summary>
/// A closed loop: each client sends its next request as soon as the previous one answers, as pgbench
/// does, so requests/s is what the server sustains at that concurrency rather than an offered rate.
/// A warm-up runs first and is not counted (JIT, connection pools, plan caches).
/// </summary>
internal static class ClosedLoopLoad
{
    public static async Task<LoadResult> RunAsync(string operation, int clients, TimeSpan duration, TimeSpan warmUp, Func<Random, Task> request)
    {
        await RunForAsync(clients, warmUp, request, record: false);
        var started = Stopwatch.GetTimestamp();
        var latencies = await RunForAsync(clients, duration, request, record: true);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        return new LoadResult(operation, clients, seconds, latencies.Count / seconds, LatencySummary.Of(latencies));
    }

    private static async Task<List<double>> RunForAsync(int clients, TimeSpan duration, Func<Random, Task> request, bool record)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var perClient = await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            var random = new Random(); // one per client: Random is not thread-safe
            var latencies = new List<double>();
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                await request(random);
                if (record)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                }
            }

            return latencies;
        }));
        return perClient.SelectMany(l => l).ToList();
    }
}
