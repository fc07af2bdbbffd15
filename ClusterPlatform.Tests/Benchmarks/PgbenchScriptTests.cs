extern alias benchmarks;

using benchmarks::ClusterPlatform.Benchmarks;
using ClusterPlatform.AppHost;
using ClusterPlatform.Tests.Database;
using Npgsql;

namespace ClusterPlatform.Tests.Benchmarks;

/// <summary>
/// The benchmark's pgbench scripts are the Api's own statements with pgbench variables in place of the
/// Api's typed parameters (<see cref="PgbenchScripts"/>), so a change to a statement can make a script
/// fail in PostgreSQL while the Api is fine: on 2026-12-03 the create's <c>@spec -&gt; 'release'</c> had
/// been "operator is not unique" for pgbench's untyped parameter since the upgrades' commit, and only a
/// benchmark run showed it. Each script runs here for a moment against a freshly migrated database.
/// </summary>
public sealed class PgbenchScriptTests(PostgresServer postgres)
{
    [Fact]
    public async Task The_create_and_read_scripts_run_and_the_create_writes_the_cluster_its_event_and_its_audit_entry()
    {
        var database = await postgres.CreateDatabaseAsync("pgbench");
        await MigrationTests.MigrateAsync(database);
        var bin = LocalPostgres.FindBinDirectory()!;
        var pgbench = new Pgbench(bin, database);

        var created = await pgbench.RunAsync("create", PgbenchScripts.CreateCluster, 1, TimeSpan.FromSeconds(1), PgbenchScripts.CreateVariables);
        var read = await pgbench.RunAsync("read", PgbenchScripts.ReadCluster, 1, TimeSpan.FromSeconds(1), PgbenchScripts.ReadVariables(new SeededRange(1, 10)));

        Assert.True(created.RequestsPerSecond > 0, "pgbench committed no create");
        Assert.True(read.RequestsPerSecond > 0, "pgbench ran no read");
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var counts = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM clusters WHERE organization = 'pgbench' AND phase = 'Pending'
                        AND status -> 'version' ->> 'desired' = '4.22.3'),
                   (SELECT count(*) FROM clusters),
                   (SELECT count(*) FROM outbox),
                   (SELECT count(*) FROM audit_log WHERE actor = 'benchmark')
            """, connection);
        await using var reader = await counts.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        await reader.ReadAsync(TestContext.Current.CancellationToken);
        var (pending, clusters, events, audits) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        Assert.True(clusters > 0);
        Assert.Equal(clusters, pending);
        Assert.Equal(clusters, events);
        Assert.Equal(clusters, audits);
    }
}
