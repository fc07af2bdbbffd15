using System.Diagnostics;
using ClusterPlatform.Api.Events;

namespace ClusterPlatform.Api.AutoUpgrades;

/// <summary>A cluster that may be upgraded automatically, with its window and the enabled patches it has an edge to.</summary>
internal sealed record UpgradeCandidate(Guid Id, long Generation, string Current, MaintenanceWindow Window, IReadOnlyList<string> Targets);

/// <summary>
/// The SQL of automatic patch upgrades: finding the clusters that may be upgraded, and upgrading one
/// of them one step, in one transaction with its <c>cluster.updated</c> event and its audit row.
/// </summary>
internal sealed class AutomaticUpgradeStore(NpgsqlDataSource dataSource, IOptions<PlatformOptions> platform, IOptions<ReconcileOptions> reconcile)
{
    /// <summary>The audit actor of every automatic upgrade.</summary>
    public const string Actor = "platform";

    /// <summary>
    /// The version the cluster runs now: what the aggregation copies from the operator client's
    /// report (<c>data.version.current</c>) into <c>status.version.current</c>. The one place it is read from.
    /// </summary>
    private const string Current = "c.status #>> '{version,current}'";

    // A spec stored before channel groups existed is in the stable group.
    private const string ChannelGroup = "coalesce(c.spec #>> '{release,channelGroup}', 'stable')";

    // Opted in, live, Ready and settled: running the version its spec asks for, so no upgrade is under way.
    // The first two are the predicate of the partial index clusters_automatic_upgrades_idx (migration 0013).
    private const string Settled = $$"""
        (c.spec #>> '{upgradePolicy,automaticPatchUpgrades}') = 'true' AND c.deletion_timestamp IS NULL AND c.phase = 'Ready'
        AND {{Current}} = c.spec #>> '{release,version}'
        """;

    // A patch target: a version of the same channel group and minor as the current one (cur), enabled
    // (an admin's override wins, as in Versions/VersionCatalogStore.cs), and a direct edge of the graph from it.
    private const string PatchTarget = """
        t.channel_group = cur.channel_group AND t.minor = cur.minor AND t.version = ANY (cur.upgrades)
        AND coalesce(t.admin_enabled, t.graph_enabled)
        """;

    /// <summary>
    /// Up to <paramref name="limit"/> settled opted-in clusters with an id after <paramref name="after"/>,
    /// in id order, that have at least one enabled patch edge from their current version.
    /// </summary>
    public async Task<IReadOnlyList<UpgradeCandidate>> CandidatesAsync(Guid after, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($$"""
            SELECT c.id, c.generation, {{Current}} AS current, c.spec #>> '{upgradePolicy,maintenanceWindow}' AS maintenance_window, targets.versions
            FROM clusters c
            JOIN versions cur ON cur.channel_group = {{ChannelGroup}} AND cur.version = {{Current}}
            CROSS JOIN LATERAL (SELECT array_agg(t.version) AS versions FROM versions t WHERE {{PatchTarget}}) AS targets
            WHERE {{Settled}} AND c.id > @after AND targets.versions IS NOT NULL
            ORDER BY c.id
            LIMIT @limit
            """);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", limit);
        var candidates = new List<UpgradeCandidate>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // A policy without a window cannot be stored with automatic upgrades on; such a row is skipped.
            if (!reader.IsDBNull(3) && StoredJson.Read<MaintenanceWindow>(reader.GetString(3)) is { } window)
            {
                candidates.Add(new UpgradeCandidate(reader.GetGuid(0), reader.GetInt64(1), reader.GetString(2), window, reader.GetFieldValue<string[]>(4)));
            }
        }

        return candidates;
    }

    /// <summary>
    /// Moves the cluster's <c>spec.release.version</c> from <paramref name="from"/> to <paramref name="to"/>,
    /// raising the generation and recomputing the status for it as a user's update does, with the
    /// <c>cluster.updated</c> event and an audit row by <see cref="Actor"/>, in one transaction. Nothing
    /// happens, and false comes back, unless the cluster is still at <paramref name="generation"/>, still
    /// settled on <paramref name="from"/>, and <paramref name="to"/> is still an enabled patch edge from it.
    /// The row is locked with <c>SKIP LOCKED</c>: a cluster another replica (or a user's write) holds is
    /// left to it, and a replica that comes second finds the generation moved on.
    /// </summary>
    public async Task<bool> UpgradeAsync(Guid id, long generation, string from, string to, Activity? activity, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var claim = new NpgsqlCommand($$"""
            SELECT 1 FROM clusters c
            WHERE c.id = @id AND c.generation = @generation AND {{Settled}} AND c.spec #>> '{release,version}' = @from
              AND EXISTS (SELECT 1 FROM versions cur JOIN versions t ON {{PatchTarget}}
                          WHERE cur.channel_group = {{ChannelGroup}} AND cur.version = @from AND t.version = @to)
            FOR UPDATE OF c SKIP LOCKED
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue("id", id);
            claim.Parameters.AddWithValue("generation", generation);
            claim.Parameters.AddWithValue("from", from);
            claim.Parameters.AddWithValue("to", to);
            if (await claim.ExecuteScalarAsync(ct) is null)
            {
                return false;
            }
        }

        // The row is locked: the status recomputed here cannot miss a report that lands meanwhile. It is
        // computed for the new spec's version (status.version.desired), as a user's update computes it.
        await using var upgrade = new NpgsqlCommand("""
            WITH computed AS (
                SELECT aggregate_status(id, generation + 1, false, @cluster_required, status, clock_timestamp(), @to) AS next_status
                FROM clusters WHERE id = @id
            ), upgraded AS (
                UPDATE clusters
                SET spec = jsonb_set(spec, '{release,version}', to_jsonb(@to::text)), generation = generation + 1,
                    status = next_status, phase = next_status ->> 'phase', resource_version = resource_version + 1,
                    updated_at = now(), next_reconcile_at = now() + @not_ready_after
                FROM computed
                WHERE id = @id
                RETURNING id, generation, updated_at
            )
            SELECT enqueue_event('cluster.updated', id, NULL, generation, @traceparent, updated_at),
                   audit(id, NULL, 'update', @actor, generation, @reason)
            FROM upgraded
            """, connection, transaction);
        upgrade.Parameters.AddWithValue("id", id);
        upgrade.Parameters.AddWithValue("to", to);
        upgrade.Parameters.AddWithValue("cluster_required", platform.Value.RequiredControllers.Cluster.ToArray());
        upgrade.Parameters.AddWithValue("not_ready_after", reconcile.Value.NotReadyAfter);
        upgrade.Parameters.AddWithValue("actor", Actor);
        upgrade.Parameters.AddWithValue("reason", $"automatic patch upgrade from {from} to {to} in the maintenance window");
        upgrade.Parameters.Add(TraceContext.Parameter(activity));
        await upgrade.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }
}
