using System.Diagnostics;
using System.Net;
using System.Text;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>Status-report latency at one table size.</summary>
internal sealed record StatusReportResult(int Clusters, int Reports, double P50Ms, double P99Ms, double MeanMs);

/// <summary>
/// Latency of <c>PUT /api/v1/clusters/{id}/status</c> (one call of the aggregation function) at
/// 1,000 and at 100,000 clusters. The clusters are seeded straight into the database, because only
/// the table size matters here; the reports go through the API.
/// </summary>
internal static class StatusReportBenchmark
{
    private const string Report = """
        {"controller":"CONTROLLER","observedGeneration":1,"conditions":[{"type":"Available","status":"True","reason":"Done","message":"benchmark"}],"data":{"managementCluster":"mc-1"}}
        """;

    public static async Task<IReadOnlyList<StatusReportResult>> RunAsync(BenchmarkEnvironment environment, IReadOnlyList<int> sizes, int reports)
    {
        using var client = environment.Client("bench", "admin");
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);
        var results = new List<StatusReportResult>();
        foreach (var size in sizes)
        {
            var seeded = await SeedAsync(database, size);
            Console.Error.WriteLine($"status: {seeded} clusters; sending {reports} reports…");
            var ids = await SampleAsync(database, reports);
            // Warm-up on the same clusters with another controller (plans, connections, JIT, cache), so
            // that at every size the measured report is the same work: a controller's first report,
            // an Available transition that also queues a reconcile event.
            foreach (var id in ids)
            {
                await ReportAsync(client, id, "dns-management-controller");
            }

            var latencies = new double[ids.Count];
            for (var i = 0; i < ids.Count; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await ReportAsync(client, ids[i], "placement-controller");
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(latencies);
            results.Add(new StatusReportResult((int)seeded, latencies.Length, EventsBenchmark.Percentile(latencies, 50), EventsBenchmark.Percentile(latencies, 99),
                latencies.Average()));
        }

        return results;
    }

    /// <summary>Tops the clusters table up to <paramref name="size"/> rows, all with the status a new cluster has.</summary>
    private static async Task<long> SeedAsync(NpgsqlDataSource database, int size)
    {
        await using var command = database.CreateCommand("""
            WITH template AS (
                SELECT aggregate_status(uuidv7(), 1, false,
                    ARRAY['environment-validation-controller', 'placement-controller', 'dns-management-controller', 'operator-client-controller'],
                    NULL, now()) AS status
            )
            INSERT INTO clusters (id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by,
                                  phase, status, next_reconcile_at)
            SELECT uuidv7(), 'seed-' || (g % 100), 'seed-' || g, jsonb_build_object('env', CASE WHEN g % 2 = 0 THEN 'prod' ELSE 'dev' END),
                   '{"gcp":{"projectId":"acme-prod-123","region":"us-central1","network":"default"},"release":{"version":"4.17.3"},"networking":{"machineCidr":"10.0.0.0/16","podCidr":"10.128.0.0/14","serviceCidr":"172.30.0.0/16"},"dns":{"baseDomain":"acme.example.com"}}',
                   1, 1, now(), now(), 'benchmark', 'Pending', template.status, now() + interval '1 day'
            FROM generate_series((SELECT count(*) FROM clusters) + 1, @size) AS g, template;
            """);
        command.Parameters.AddWithValue("size", (long)size);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();

        // Measure the steady state, not autovacuum and a checkpoint catching up with the bulk insert.
        foreach (var maintenance in new[] { "VACUUM (ANALYZE) clusters", "CHECKPOINT" })
        {
            await using var step = database.CreateCommand(maintenance);
            step.CommandTimeout = 600;
            await step.ExecuteNonQueryAsync();
        }

        await using var count = database.CreateCommand("SELECT count(*) FROM clusters");
        return (long)(await count.ExecuteScalarAsync())!;
    }

    private static async Task<List<Guid>> SampleAsync(NpgsqlDataSource database, int count)
    {
        await using var command = database.CreateCommand("SELECT id FROM clusters TABLESAMPLE BERNOULLI (100) ORDER BY random() LIMIT @count");
        command.Parameters.AddWithValue("count", count);
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<Guid>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetGuid(0));
        }

        return ids;
    }

    private static async Task ReportAsync(HttpClient client, Guid id, string controller)
    {
        using var response = await client.PutAsync(new Uri($"/api/v1/clusters/{id}/status", UriKind.Relative),
            new StringContent(Report.Replace("CONTROLLER", controller, StringComparison.Ordinal), Encoding.UTF8, "application/json"));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Status report for {id} returned {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
