using DbUp;
using DbUp.Engine.Output;
using Npgsql;

namespace ClusterPlatform.Api.Data;

/// <summary>
/// Applies the versioned SQL scripts in <c>Data/Migrations</c> once, before the Api serves traffic.
/// Replicas starting together serialize on a PostgreSQL advisory lock, so each script runs exactly once.
/// </summary>
internal sealed class DatabaseMigrator(IConfiguration configuration, ILogger<DatabaseMigrator> logger)
{
    // Arbitrary but fixed: every replica must take the same lock.
    private const long MigrationLockKey = 0x436c7573746572; // "Cluster"

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
            var upgrader = DeployChanges.To
                .PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(DatabaseMigrator).Assembly, name => name.Contains(".Data.Migrations.", StringComparison.Ordinal))
                .WithTransactionPerScript()
                .LogTo(new UpgradeLog(logger))
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Database migration failed at script {result.ErrorScript?.Name}.", result.Error);
            }

            logger.LogInformation("Database schema is current ({Count} script(s) applied this start)", result.Scripts.Count());
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

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
