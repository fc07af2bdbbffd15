using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace ClusterPlatform.WebConsole.SignIn;

/// <summary>
/// The console's Data Protection key ring in PostgreSQL, so every replica, and a replica started after a
/// restart, decrypts the session cookies the others issued. The table is in the console's own database
/// (<c>ConnectionStrings:consoledb</c>), never the Api's: the console holds no privilege over tenant data.
/// Keys are written once and never changed (Data Protection only adds keys and revocations), so the
/// table is an append-only list of XML elements, one row per friendly name.
/// </summary>
internal sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    // Arbitrary but fixed: replicas creating the table at once take turns on it. CREATE TABLE IF NOT
    // EXISTS alone can still fail one of two concurrent creators (a unique violation in pg_type).
    private const long SchemaLockKey = 0x436f6e736f6c65; // "Console"

    // One table and no versions, so no migration tool: the Api's DbUp layout (docs/database.md) earns its
    // journal with dozens of scripts; here the whole schema is this statement, run idempotently on first
    // use. A second change to this table would be the time to move to DbUp as the Api does.
    private const string CreateTable = """
        CREATE TABLE IF NOT EXISTS data_protection_keys (
            friendly_name text PRIMARY KEY,
            xml text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private readonly Lock schemaLock = new();
    private bool schemaReady;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        EnsureSchema();
        using var command = dataSource.CreateCommand("SELECT xml FROM data_protection_keys ORDER BY created_at, friendly_name");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }

        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        EnsureSchema();
        // Friendly names are unique (key-<guid>, revocation-<...>). A row already there under the name is
        // the same element stored by another replica: DO NOTHING keeps that one and does not fail the caller.
        using var command = dataSource.CreateCommand(
            "INSERT INTO data_protection_keys (friendly_name, xml) VALUES (@name, @xml) ON CONFLICT (friendly_name) DO NOTHING");
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    /// <summary>Creates the table on first use. Data Protection's API is synchronous, so this is too.</summary>
    private void EnsureSchema()
    {
        lock (schemaLock)
        {
            if (schemaReady)
            {
                return;
            }

            ConsoleDatabase.EnsureExists(dataSource.ConnectionString);
            using var connection = dataSource.OpenConnection();
            using var transaction = connection.BeginTransaction();
            using (var take = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key)", connection, transaction))
            {
                take.Parameters.AddWithValue("key", SchemaLockKey);
                take.ExecuteNonQuery();
            }

            using (var create = new NpgsqlCommand(CreateTable, connection, transaction))
            {
                create.ExecuteNonQuery();
            }

            transaction.Commit();
            schemaReady = true;
        }
    }
}
