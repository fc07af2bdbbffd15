using Npgsql;

namespace ClusterPlatform.WebConsole.SignIn;

/// <summary>
/// Creates the console's database when it is missing, as the Api creates clusterdb: a local run's
/// PostgreSQL starts empty. A deployment's database exists already (docs/deployment.md), so there this
/// only looks; the console's database user needs no right to create databases.
/// </summary>
internal static class ConsoleDatabase
{
    private const string InvalidCatalogName = "3D000";

    public static void EnsureExists(string connectionString)
    {
        try
        {
            using var probe = new NpgsqlConnection(connectionString);
            probe.Open();
            return;
        }
        catch (PostgresException e) when (e.SqlState == InvalidCatalogName)
        {
            // Missing: created below from the server's maintenance database.
        }

        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var name = target.Database ?? throw new InvalidOperationException($"ConnectionStrings:{ResourceNames.ConsoleDatabase} names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        connection.Open();
        // CREATE DATABASE takes no parameters: the name is quoted as an identifier instead.
        using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
        try
        {
            create.ExecuteNonQuery();
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another replica created it between the probe and CREATE DATABASE.
        }
    }
}
