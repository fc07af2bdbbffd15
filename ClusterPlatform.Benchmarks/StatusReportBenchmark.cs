using System.Diagnostics;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// Latency of <c>PUT /api/v1/clusters/{id}/status</c> (one call of the aggregation function) from
/// one client on random clusters of the table as it is, so that <see cref="ScaleBenchmark"/> can
/// compare table sizes.
/// </summary>
internal static class StatusReportBenchmark
{
    public static async Task<LatencySummary> MeasureAsync(HttpClient admin, NpgsqlDataSource database, int reports)
    {
        var ids = await SampleAsync(database, reports);
        // Warm-up on the same clusters with another controller (plans, connections, JIT, cache), so
        // that at every size the measured report is the same work: a controller's first report,
        // an Available transition that also queues a reconcile event.
        foreach (var id in ids)
        {
            await ApiRequests.ReportStatusAsync(admin, id, "dns-management-controller");
        }

        var latencies = new double[ids.Count];
        for (var i = 0; i < ids.Count; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await ApiRequests.ReportStatusAsync(admin, ids[i], "placement-controller");
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        return LatencySummary.Of(latencies);
    }

    /// <summary>Clusters no benchmark has reported on yet, so every measured report is a first one.</summary>
    private static async Task<List<Guid>> SampleAsync(NpgsqlDataSource database, int count)
    {
        await using var command = database.CreateCommand("""
            SELECT id FROM clusters c
            WHERE NOT EXISTS (SELECT FROM resource_statuses s WHERE s.resource_id = c.id)
            ORDER BY random() LIMIT @count
            """);
        command.Parameters.AddWithValue("count", count);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }
}
