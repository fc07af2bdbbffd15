using System.Collections.Concurrent;
using System.Formats.Tar;
using System.IO.Compression;
using ClusterPlatform.Api.Data;
using ClusterPlatform.Api.Validation;
using DbUp;
using DbUp.Engine;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ClusterPlatform.Tests.Database;

/// <summary>
/// The migration pass (docs/database.md): a database that an earlier release migrated, with its
/// functions still inside the versioned scripts, ends with the same schema as a fresh one, and every
/// pass replaces the functions without changing anything else. The earlier release's scripts are
/// kept as it shipped them, in an archive made with
/// <c>git archive --format=tar.gz -o ClusterPlatform.Tests/Database/released-migrations.tar.gz f6712b9 ClusterPlatform.Api/Data/Migrations</c>
/// (the commit before functions had a folder of their own; the same command makes the same bytes, so
/// anyone can check it), and journaled under the names the Api embedded them by, as that release did.
/// </summary>
public sealed class MigrationTests(PostgresServer postgres)
{
    private const string ReleasedResourcePrefix = "ClusterPlatform.Api.Data.Migrations.";

    // 9: the last release's database. 7 and 3: older ones, which still lack the infra id backfill
    // (0008) or had the outbox trigger that 0007 dropped.
    [Theory]
    [InlineData(9)]
    [InlineData(7)]
    [InlineData(3)]
    public async Task A_database_migrated_by_an_earlier_release_ends_with_the_schema_of_a_fresh_one(int releasedScripts)
    {
        var fresh = await postgres.CreateDatabaseAsync("fresh");
        await MigrateAsync(fresh);
        var released = await postgres.CreateDatabaseAsync($"released_{releasedScripts}");
        ApplyReleased(released, releasedScripts);
        if (releasedScripts == 9)
        {
            // Only the functions changed place: the last release's tables, columns, indexes and constraints
            // are today's, but for the tables and indexes migrations after it add (0011, the version
            // catalog; 0013, automatic upgrades' index; 0015, break-glass credentials).
            var added = new System.Text.RegularExpressions.Regex("(?<![a-z_])(versions|version_audit|clusters_automatic_upgrades_idx|credentials|credential_revocations)(?![a-z])");
            Assert.Equal(Tables(await SchemaAsync(fresh)).Where(line => !added.IsMatch(line)), Tables(await SchemaAsync(released)));
        }

        await MigrateAsync(released);

        var expected = await SchemaAsync(fresh);
        Assert.Contains(expected, line => line.StartsWith("function report_status(", StringComparison.Ordinal));
        Assert.Equal(expected, await SchemaAsync(released));
    }

    [Fact]
    public async Task Every_pass_runs_the_function_scripts_and_changes_nothing_else()
    {
        var database = await postgres.CreateDatabaseAsync("again");
        await MigrateAsync(database);
        var before = await SchemaAsync(database);
        var journaled = await JournalAsync(database);

        var lines = new ConcurrentQueue<string>();
        await MigrateAsync(database, lines);

        var functionScripts = typeof(DatabaseMigrator).Assembly.GetManifestResourceNames().Count(n => n.Contains(".Data.Functions.", StringComparison.Ordinal));
        Assert.True(functionScripts > 10, $"{functionScripts} function scripts embedded");
        Assert.Contains($"Database schema is current (0 migration(s) and 0 backfill(s) applied this start, {functionScripts} function script(s) run)", lines);
        Assert.Equal(before, await SchemaAsync(database));
        Assert.Equal(journaled, await JournalAsync(database));
    }

    [Fact]
    public async Task The_infra_id_backfill_runs_after_the_functions_it_calls()
    {
        var database = await postgres.CreateDatabaseAsync("backfill");
        ApplyReleased(database, 7);
        var id = Guid.CreateVersion7();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO clusters (id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by, phase, status)
                VALUES (@id, 'acme', 'Prod East', '{}', '{"gcp": {"projectId": "acme-prod-123", "region": "us-central1"}}', 1, 1, now(), now(), 'test', 'Pending', '{}')
                """, connection);
            insert.Parameters.AddWithValue("id", id);
            await insert.ExecuteNonQueryAsync();
        }

        await MigrateAsync(database);

        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var read = dataSource.CreateCommand("SELECT spec #>> '{gcp,infraId}', spec #>> '{gcp,subnet}' FROM clusters WHERE id = @id");
        read.Parameters.AddWithValue("id", id);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var infraId = InfraIds.Derive(id, "Prod East");
        Assert.Equal(infraId, reader.GetString(0));
        Assert.Equal($"{infraId}-subnet", reader.GetString(1));
    }

    [Fact]
    public async Task Node_pools_stored_before_management_get_hypershifts_replace_defaults_and_others_keep_theirs()
    {
        var database = await postgres.CreateDatabaseAsync("management");
        ApplyReleased(database, 9);
        var (cluster, before, inPlace) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO clusters (id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by, phase, status)
                VALUES (@cluster, 'acme', 'prod', '{}', '{"gcp": {"projectId": "acme-prod-123", "region": "us-central1", "infraId": "prod-1"}}', 1, 1, now(), now(), 'test', 'Pending', '{}');
                INSERT INTO node_pools (id, cluster_id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by, phase, status)
                VALUES (@before, @cluster, 'acme', 'before', '{}', '{"replicas": 3, "version": "4.22.3"}', 2, 5, now(), now(), 'test', 'Pending', '{}'),
                       (@in_place, @cluster, 'acme', 'in-place', '{}', '{"replicas": 3, "version": "4.22.3", "management": {"upgradeType": "InPlace", "maxSurge": null, "maxUnavailable": "2"}}',
                        1, 1, now(), now(), 'test', 'Pending', '{}');
                """, connection);
            insert.Parameters.AddWithValue("cluster", cluster);
            insert.Parameters.AddWithValue("before", before);
            insert.Parameters.AddWithValue("in_place", inPlace);
            await insert.ExecuteNonQueryAsync();
        }

        await MigrateAsync(database);

        await using var dataSource = NpgsqlDataSource.Create(database);
        await using var read = dataSource.CreateCommand("""
            SELECT id, spec -> 'management' ->> 'upgradeType', spec -> 'management' ->> 'maxSurge', spec -> 'management' ->> 'maxUnavailable', generation, resource_version
            FROM node_pools ORDER BY name
            """);
        await using var reader = await read.ExecuteReaderAsync();
        var rows = new List<(Guid, string, string?, string, long, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetInt64(5)));
        }

        Assert.Equal([(before, "Replace", "1", "0", 2L, 5L), (inPlace, "InPlace", null, "2", 1L, 1L)], rows);
    }

    /// <summary>The scripts DbUp has journaled as run.</summary>
    private static async Task<List<string>> JournalAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("SELECT scriptname FROM schemaversions ORDER BY schemaversionsid");
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    /// <summary>Runs the Api's migration pass on a database, as the Api does at start.</summary>
    internal static async Task MigrateAsync(string connectionString, ConcurrentQueue<string>? lines = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [$"ConnectionStrings:{ResourceNames.Database}"] = connectionString })
            .Build();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(
            new CapturingLoggerProvider(lines ?? new ConcurrentQueue<string>(), typeof(DatabaseMigrator).FullName)));
        await new DatabaseMigrator(configuration, loggers.CreateLogger<DatabaseMigrator>()).MigrateAsync(CancellationToken.None);
    }

    /// <summary>The first <paramref name="count"/> released scripts, run as that release ran them: one transaction each.</summary>
    private static void ApplyReleased(string connectionString, int count)
    {
        var scripts = ReleasedScripts().OrderBy(s => s.Name, StringComparer.Ordinal).Take(count).ToArray();
        Assert.Equal(count, scripts.Length);
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(scripts)
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        Assert.True(result.Successful, result.Error?.ToString());
    }

    private static List<SqlScript> ReleasedScripts()
    {
        using var archive = new TarReader(new GZipStream(
            File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Database", "released-migrations.tar.gz")), CompressionMode.Decompress));
        var scripts = new List<SqlScript>();
        while (archive.GetNextEntry() is { } entry)
        {
            if (entry.EntryType == TarEntryType.RegularFile && entry.DataStream is { } data)
            {
                using var reader = new StreamReader(data);
                scripts.Add(new SqlScript(ReleasedResourcePrefix + Path.GetFileName(entry.Name), reader.ReadToEnd()));
            }
        }

        return scripts;
    }

    /// <summary>The lines about tables: columns, indexes, constraints and relations, without functions and triggers.</summary>
    private static List<string> Tables(IEnumerable<string> schema) =>
        [.. schema.Where(line => !line.StartsWith("function ", StringComparison.Ordinal) && !line.StartsWith("trigger ", StringComparison.Ordinal))];

    /// <summary>
    /// The public schema as sorted lines from pg_catalog: every relation, column (type, nullability,
    /// default, identity, position), index, constraint and trigger, and every function with its
    /// signature and its whole definition (body, language, volatility, strictness, parallel safety).
    /// </summary>
    private static async Task<List<string>> SchemaAsync(string connectionString)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using var command = dataSource.CreateCommand("""
            SELECT line FROM (
                SELECT 'relation ' || c.relname || ' ' || c.relkind::text AS line
                FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace
                UNION ALL
                SELECT 'column ' || table_name || '.' || column_name || ' #' || ordinal_position || ' ' || data_type
                       || CASE WHEN is_nullable = 'NO' THEN ' not null' ELSE '' END
                       || coalesce(' default ' || column_default, '') || coalesce(' identity ' || identity_generation, '')
                FROM information_schema.columns WHERE table_schema = 'public'
                UNION ALL
                SELECT 'index ' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
                UNION ALL
                SELECT 'constraint ' || conrelid::regclass::text || '.' || conname || ': ' || pg_get_constraintdef(oid)
                FROM pg_constraint WHERE connamespace = 'public'::regnamespace
                UNION ALL
                SELECT 'trigger ' || tgname || ': ' || pg_get_triggerdef(t.oid)
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE NOT t.tgisinternal AND c.relnamespace = 'public'::regnamespace
                UNION ALL
                SELECT 'function ' || proname || '(' || pg_get_function_identity_arguments(oid) || ') ' || pg_get_functiondef(oid)
                FROM pg_proc WHERE pronamespace = 'public'::regnamespace
            ) AS schema
            ORDER BY line COLLATE "C"
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }
}
