namespace ClusterPlatform.Api.Fleet;

/// <summary>The management-cluster fleet and the placements on it, in PostgreSQL.</summary>
internal sealed class FleetStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "name, region, capacity, load, api_endpoint, ingress_target";

    public async Task<IReadOnlyList<ManagementCluster>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM management_clusters ORDER BY region, name");
        return await ReadAllAsync(command, ct);
    }

    /// <summary>Creates or replaces a management cluster; its load is kept.</summary>
    public async Task<ManagementCluster> UpsertAsync(string name, ManagementClusterRequest request, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO management_clusters (name, region, capacity, api_endpoint, ingress_target)
            VALUES (@name, @region, @capacity, @api, @ingress)
            ON CONFLICT (name) DO UPDATE
                SET region = excluded.region, capacity = excluded.capacity, api_endpoint = excluded.api_endpoint, ingress_target = excluded.ingress_target
            RETURNING {Columns}
            """);
        command.Parameters.AddWithValue("name", name);
        command.Parameters.AddWithValue("region", request.Region);
        command.Parameters.AddWithValue("capacity", request.Capacity);
        command.Parameters.AddWithValue("api", request.ApiEndpoint);
        command.Parameters.AddWithValue("ingress", request.IngressTarget);
        return (await ReadAllAsync(command, ct))[0];
    }

    /// <summary>
    /// The cluster's management cluster: its existing placement (sticky), or else the least loaded one
    /// in the region with room, whose load it then takes. Null when the region has no room.
    /// Concurrent first placements of one cluster all return the same placement and take capacity once:
    /// the loser of the race inserts nothing (<c>ON CONFLICT DO NOTHING</c>), so it raises no load, and
    /// reads the winner's placement instead.
    /// </summary>
    public async Task<ManagementCluster?> PlaceAsync(Guid clusterId, string region, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (await PlacedOnAsync(connection, transaction, clusterId, ct) is { } placed)
        {
            return placed;
        }

        // Locks the chosen row, so concurrent placements in a region take capacity one at a time.
        await using var place = new NpgsqlCommand($"""
            WITH chosen AS (
                SELECT name FROM management_clusters
                WHERE region = @region AND load < capacity
                ORDER BY load::float8 / capacity, name
                LIMIT 1
                FOR UPDATE
            ), placed AS (
                INSERT INTO placements (cluster_id, management_cluster, placed_at)
                SELECT @id, name, now() FROM chosen
                ON CONFLICT (cluster_id) DO NOTHING
                RETURNING management_cluster
            )
            UPDATE management_clusters m SET load = m.load + 1
            FROM placed WHERE m.name = placed.management_cluster
            RETURNING m.{Columns.Replace(", ", ", m.", StringComparison.Ordinal)}
            """, connection, transaction);
        place.Parameters.AddWithValue("id", clusterId);
        place.Parameters.AddWithValue("region", region);
        var result = (await ReadAllAsync(place, ct)).FirstOrDefault()
            // Nothing placed: no room, or a concurrent call placed the cluster first. Its placement has
            // committed by now (the insert waited for it), and this statement's fresh snapshot sees it.
            ?? await PlacedOnAsync(connection, transaction, clusterId, ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    private static async Task<ManagementCluster?> PlacedOnAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid clusterId, CancellationToken ct)
    {
        await using var existing = new NpgsqlCommand(
            $"SELECT {Columns} FROM management_clusters WHERE name = (SELECT management_cluster FROM placements WHERE cluster_id = @id)", connection, transaction);
        existing.Parameters.AddWithValue("id", clusterId);
        return (await ReadAllAsync(existing, ct)).FirstOrDefault();
    }

    /// <summary>Releases a cluster's placement and the capacity it took; releasing twice is harmless.</summary>
    public async Task ReleaseAsync(Guid clusterId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            WITH released AS (DELETE FROM placements WHERE cluster_id = @id RETURNING management_cluster)
            UPDATE management_clusters m SET load = m.load - 1 FROM released WHERE m.name = released.management_cluster
            """);
        command.Parameters.AddWithValue("id", clusterId);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Seeds one management cluster per region when the fleet is empty (local runs only).</summary>
    public async Task SeedAsync(IEnumerable<string> regions, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO management_clusters (name, region, capacity, api_endpoint, ingress_target)
            SELECT 'mc-' || region || '-a', region, 100, 'https://api.mc-' || region || '-a.simulated.local:6443', 'ingress.mc-' || region || '-a.simulated.local'
            FROM unnest(@regions) AS region
            WHERE NOT EXISTS (SELECT 1 FROM management_clusters)
            """);
        command.Parameters.AddWithValue("regions", regions.ToArray());
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<ManagementCluster>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<ManagementCluster>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new ManagementCluster(reader.Column<string>("name"), reader.Column<string>("region"), reader.Column<int>("capacity"),
                reader.Column<int>("load"), reader.Column<string>("api_endpoint"), reader.Column<string>("ingress_target")));
        }

        return rows;
    }
}
