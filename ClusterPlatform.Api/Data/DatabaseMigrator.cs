using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using DbUp.Support;

namespace ClusterPlatform.Api.Data;

/// <summary>
/// Brings the database up to date before the Api serves traffic, from three kinds of embedded SQL
/// script, in this order (docs/database.md):
/// <list type="number">
/// <item><c>Data/Migrations</c>: versioned, run once each (DbUp journals them by name): tables,
/// indexes, constraints, and data changes that need no function of ours.</item>
/// <item><c>Data/Functions</c>: every function and trigger, one file each, written as
/// <c>CREATE OR REPLACE</c> and run on every pass, so each function's live definition is its one
/// file. After the migrations, because the functions are written against the current tables.</item>
/// <item><c>Data/Backfills</c>: versioned, run once each, after the functions: data changes that call
/// them (the infra id backfill calls <c>derive_infra_id</c>), which on a fresh database would
/// otherwise run before the function exists.</item>
/// </list>
/// The function scripts run in name order, and their number prefixes put every function after the
/// ones it calls: PostgreSQL checks a LANGUAGE sql body when it is created, against the functions and
/// tables it names, and that check stays on (no <c>check_function_bodies = off</c>), so a body that
/// names something missing fails the migration here rather than a request later.
/// The whole pass is one transaction: a function dropped by a migration (to change its result type)
/// and created again by its script is never missing for the replicas serving meanwhile, and a pass
/// that fails leaves the database as it was. Replicas starting together serialize on a PostgreSQL
/// advisory lock, so each versioned script runs exactly once.
/// </summary>
internal sealed class DatabaseMigrator(IConfiguration configuration, ILogger<DatabaseMigrator> logger)
{
    // Arbitrary but fixed: every replica must take the same lock.
    private const long MigrationLockKey = 0x436c7573746572; // "Cluster"

    private static readonly SqlScriptOptions Migrations = new() { ScriptType = ScriptType.RunOnce, RunGroupOrder = 1 };
    private static readonly SqlScriptOptions Functions = new() { ScriptType = ScriptType.RunAlways, RunGroupOrder = 2 };
    private static readonly SqlScriptOptions Backfills = new() { ScriptType = ScriptType.RunOnce, RunGroupOrder = 3 };

    public async Task MigrateAsync(CancellationToken ct)
    {
        var connectionString = configuration.GetConnectionString(ResourceNames.Database)
            ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.Database} is not configured.");

        EnsureDatabaseExists(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            lockCommand.Parameters.AddWithValue("key", MigrationLockKey);
            await lockCommand.ExecuteNonQueryAsync(ct);
        }

        try
        {
            var assembly = typeof(DatabaseMigrator).Assembly;
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(assembly, InFolder("Migrations"), Migrations)
                .WithScriptsEmbeddedInAssembly(assembly, InFolder("Functions"), Functions)
                .WithScriptsEmbeddedInAssembly(assembly, InFolder("Backfills"), Backfills)
                .WithTransaction()
                .LogTo(new UpgradeLog(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Database migration failed at script {result.ErrorScript?.Name}.", result.Error);
            }

            var scripts = result.Scripts.ToList();
            logger.LogInformation(
                "Database schema is current ({Migrations} migration(s) and {Backfills} backfill(s) applied this start, {Functions} function script(s) run)",
                scripts.Count(s => s.SqlScriptOptions.RunGroupOrder == Migrations.RunGroupOrder),
                scripts.Count(s => s.SqlScriptOptions.RunGroupOrder == Backfills.RunGroupOrder),
                scripts.Count(s => s.SqlScriptOptions.RunGroupOrder == Functions.RunGroupOrder));
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static Func<string, bool> InFolder(string folder) =>
        name => name.Contains($".Data.{folder}.", StringComparison.Ordinal);

    private void EnsureDatabaseExists(string connectionString)
    {
        try
        {
            EnsureDatabase.For.PostgresqlDatabase(connectionString, new UpgradeLog(logger));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another replica created it between the existence check and CREATE DATABASE.
        }
    }

    /// <summary>DbUp writes composite format strings ({0}); they are formatted here, not used as message templates.</summary>
    private sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => Log(LogLevel.Trace, null, format, args);
        public void LogDebug(string format, params object[] args) => Log(LogLevel.Debug, null, format, args);
        public void LogInformation(string format, params object[] args) => Log(LogLevel.Information, null, format, args);
        public void LogWarning(string format, params object[] args) => Log(LogLevel.Warning, null, format, args);
        public void LogError(string format, params object[] args) => Log(LogLevel.Error, null, format, args);
        public void LogError(Exception ex, string format, params object[] args) => Log(LogLevel.Error, ex, format, args);

        private void Log(LogLevel level, Exception? exception, string format, object[] args) =>
            logger.Log(level, exception, "{Message}", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args));
    }
}
