using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>Status-report and list latency at one table size.</summary>
internal sealed record ScaleResult(long Clusters, LatencySummary StatusReport, LatencySummary List);

/// <summary>
/// How latency grows with the table: at each size the clusters table is topped up, then status
/// reports and label-selector lists are timed from one client. Both should cost the same at any size
/// (the aggregation touches one resource's rows; a list page walks an index until it has a page).
/// </summary>
internal static class ScaleBenchmark
{
    public static async Task<(IReadOnlyList<ScaleResult> Results, SeededRange? Seeded)> RunAsync(
        BenchmarkEnvironment environment, IReadOnlyList<int> sizes, int reports, TimeSpan listDuration)
    {
        using var admin = environment.Client("bench", "admin");
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);
        var results = new List<ScaleResult>();
        SeededRange? seeded = null;
        foreach (var size in sizes)
        {
            (var clusters, seeded) = await ClusterSeed.TopUpAsync(database, size);
            Console.Error.WriteLine($"scale: {clusters} clusters; {reports} status reports, then lists for {listDuration.TotalSeconds} s…");
            var status = await StatusReportBenchmark.MeasureAsync(admin, database, reports);
            var list = await ClosedLoopLoad.RunAsync("list", 1, listDuration, TimeSpan.FromSeconds(1), _ => ApiRequests.ListClustersAsync(admin));
            results.Add(new ScaleResult(clusters, status, list.Latency));
        }

        return (results, seeded);
    }
}
