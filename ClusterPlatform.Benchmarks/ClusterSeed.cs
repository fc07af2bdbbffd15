using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>The seed numbers a top-up wrote; every one of them is a cluster <see cref="ClusterSeed.IdOf"/> can name.</summary>
internal sealed record SeededRange(long First, long Last)
{
    public long Pick(Random random) => random.NextInt64(First, Last + 1);
}

/// <summary>
/// Fills the clusters table straight through SQL, because only its size matters to the benchmarks
/// that need many clusters (one statement: 100,000 rows in seconds, where the API would take minutes).
/// Seeded clusters get ids made from their seed number, so that pgbench, which cannot read ids back,
/// can pick the same random cluster as the API benchmark does. Half are labelled env=prod, half env=dev;
/// they belong to 100 organizations and carry the status a new cluster has.
/// </summary>
internal static class ClusterSeed
{
    /// <summary>The id of seed number <c>n</c> as SQL over an integer expression (a UUID version 7 with a zero timestamp).</summary>
    public static string IdSql(string n) => $"('00000000-0000-7000-8000-' || lpad(to_hex(({n})::bigint), 12, '0'))::uuid";

    public static Guid IdOf(long n) => Guid.Parse($"00000000-0000-7000-8000-{n:x12}");

    /// <summary>Tops the clusters table up to <paramref name="size"/> rows and returns the table's size and the seed numbers written.</summary>
    public static async Task<(long Clusters, SeededRange? Seeded)> TopUpAsync(NpgsqlDataSource database, int size)
    {
        var before = await CountAsync(database);
        await using var command = database.CreateCommand($$$"""
            WITH template AS (
                SELECT aggregate_status(uuidv7(), 1, false,
                    ARRAY['environment-validation-controller', 'placement-controller', 'dns-management-controller', 'operator-client-controller'],
                    NULL, now()) AS status
            )
            INSERT INTO clusters (id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by,
                                  phase, status, next_reconcile_at)
            SELECT seed.id, 'seed-' || (g % 100), seed.name, jsonb_build_object('env', CASE WHEN g % 2 = 0 THEN 'prod' ELSE 'dev' END),
                   -- The spec the Api writes for a create that names no GCP names: the derived infra id (the
                   -- Api's own SQL twin of the derivation) and the network and subnet named after it.
                   '{"release":{"version":"4.22.3"},"networking":{"machineCidr":"10.0.0.0/16","podCidr":"10.128.0.0/14","serviceCidr":"172.30.0.0/16"},"dns":{"baseDomain":"acme.example.com"}}'::jsonb
                       || jsonb_build_object('gcp', jsonb_build_object('projectId', 'acme-prod-123', 'region', 'us-central1',
                              'network', derived.infra_id || '-network', 'infraId', derived.infra_id, 'subnet', derived.infra_id || '-subnet')),
                   1, 1, now(), now(), 'benchmark', 'Pending', template.status, now() + interval '1 day'
            FROM generate_series(@first, @size) AS g
            CROSS JOIN LATERAL (SELECT {{{IdSql("g")}}} AS id, 'seed-' || g AS name) AS seed
            CROSS JOIN LATERAL (SELECT derive_infra_id(seed.id, seed.name) AS infra_id) AS derived
            CROSS JOIN template;
            """);
        command.Parameters.AddWithValue("first", before + 1);
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

        return (await CountAsync(database), before < size ? new SeededRange(before + 1, size) : null);
    }

    private static async Task<long> CountAsync(NpgsqlDataSource database)
    {
        await using var count = database.CreateCommand("SELECT count(*) FROM clusters");
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
