using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Benchmarks;

/// <summary>Create to Ready through the whole chain of controllers.</summary>
internal sealed record ReadyResult(int Clusters, int Concurrency, double P50Ms, double P99Ms, double MaxMs);

/// <summary>
/// Time from POST to phase Ready with the four controllers on zero-latency simulated providers, with
/// the reconcile sweep pushed out of reach: every step is driven by events alone.
/// </summary>
internal static class ReadyBenchmark
{
    private const string Body = """
        {"name":"NAME","spec":{"gcp":{"projectId":"acme-prod-123","region":"us-central1"},"release":{"version":"4.17.3"},"dns":{"baseDomain":"acme.example.com"}}}
        """;

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

        var sorted = times.Order().ToArray();
        return new ReadyResult(sorted.Length, concurrency, EventsBenchmark.Percentile(sorted, 50), EventsBenchmark.Percentile(sorted, 99), sorted[^1]);
    }

    private static async Task<double> TimeAsync(HttpClient client, string name)
    {
        var started = Stopwatch.GetTimestamp();
        using var created = await client.PostAsync(new Uri("/api/v1/clusters", UriKind.Relative),
            new StringContent(Body.Replace("NAME", name, StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        if (created.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating {name} returned {(int)created.StatusCode}.");
        }

        var href = created.Headers.Location!;
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
