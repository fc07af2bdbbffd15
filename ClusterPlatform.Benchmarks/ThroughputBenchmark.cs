using ClusterPlatform.Contracts;

namespace ClusterPlatform.Benchmarks;

/// <summary>API requests/s as a share of pgbench's for the same SQL at the same number of clients.</summary>
internal sealed record ThroughputRatio(string Api, string Pgbench, int Clients, double Ratio, double Goal)
{
    public bool Met => Ratio >= Goal;
}

internal sealed record ThroughputResult(IReadOnlyList<LoadResult> Loads, IReadOnlyList<ThroughputRatio> Ratios);

/// <summary>
/// API throughput and latency for reads, lists, creates and status reports at each client count,
/// side by side with pgbench running the same statements against the same database in the same run.
/// Runs on a table of 100,000 seeded clusters; the load generator shares the machine with the Api
/// and PostgreSQL, as pgbench does.
/// </summary>
internal static class ThroughputBenchmark
{
    public const string Get = "API GET /clusters/{id}";
    public const string List = "API GET /clusters?labelSelector=" + ApiRequests.ListSelector;
    public const string Create = "API POST /clusters";
    public const string Report = "API PUT /clusters/{id}/status";
    public const string PgbenchRead = "pgbench select one cluster";
    public const string PgbenchCreate = "pgbench create (cluster, outbox, audit rows)";

    public static async Task<ThroughputResult> RunAsync(BenchmarkEnvironment environment, SeededRange seeded, IReadOnlyList<int> clientCounts,
        TimeSpan duration)
    {
        // Controllers are the callers that read single clusters and report status most; they read across organizations.
        using var controller = environment.ControllerClient(ControllerNames.Placement);
        using var admin = environment.Client("bench", "admin");
        using var user = environment.Client("load");
        var pgbench = new Pgbench(environment.PostgresBinDirectory, environment.ConnectionString);
        var warmUp = TimeSpan.FromSeconds(1);
        var created = 0;
        var loads = new List<LoadResult>();
        var ratios = new List<ThroughputRatio>();
        foreach (var clients in clientCounts)
        {
            Console.Error.WriteLine($"throughput: {clients} client(s), {duration.TotalSeconds} s per operation…");
            var get = await ClosedLoopLoad.RunAsync(Get, clients, duration, warmUp,
                random => ApiRequests.GetClusterAsync(controller, ClusterSeed.IdOf(seeded.Pick(random))));
            var read = await pgbench.RunAsync(PgbenchRead, PgbenchScripts.ReadCluster, clients, duration, PgbenchScripts.ReadVariables(seeded));
            var list = await ClosedLoopLoad.RunAsync(List, clients, duration, warmUp, _ => ApiRequests.ListClustersAsync(admin));
            var create = await ClosedLoopLoad.RunAsync(Create, clients, duration, warmUp,
                _ => ApiRequests.CreateClusterAsync(user, $"load-{Interlocked.Increment(ref created)}"));
            var insert = await pgbench.RunAsync(PgbenchCreate, PgbenchScripts.CreateCluster, clients, duration, PgbenchScripts.CreateVariables);
            var report = await ClosedLoopLoad.RunAsync(Report, clients, duration, warmUp,
                random => ApiRequests.ReportStatusAsync(controller, ClusterSeed.IdOf(seeded.Pick(random)), ControllerNames.Placement));
            loads.AddRange([get, read, list, create, insert, report]);
            ratios.Add(new ThroughputRatio(Get, PgbenchRead, clients, get.RequestsPerSecond / read.RequestsPerSecond, 0.6));
            ratios.Add(new ThroughputRatio(Create, PgbenchCreate, clients, create.RequestsPerSecond / insert.RequestsPerSecond, 0.5));
        }

        return new ThroughputResult(loads, ratios);
    }
}
