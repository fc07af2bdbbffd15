using System.Text;
using ClusterPlatform.Api.Configuration;
using ClusterPlatform.Api.Errors;
using ClusterPlatform.Api.Events;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClusterPlatform.Api.Data;

/// <summary>
/// A resource to insert; labels and spec are JSON text the validators produced. For a cluster
/// <c>Organization</c> is its owner; for a node pool it is the caller's scope for finding the
/// parent cluster (null: any), and the pool takes the cluster's organization.
/// </summary>
internal sealed record NewResource(Guid Id, Guid? ClusterId, string? Organization, string Name, string Labels, string Spec, string CreatedBy);

/// <summary>
/// Reads and writes clusters and node pools. Every write is one transaction that also inserts the
/// event row into the outbox (the transactional outbox), so a committed change is never without its event;
/// once it has committed, the relays are woken (<see cref="OutboxSignal"/>).
/// </summary>
internal sealed class ResourceStore(NpgsqlDataSource dataSource, IOptions<PlatformOptions> options, IOptions<ReconcileOptions> reconcile,
    ILogger<ResourceStore> logger)
{
    public async Task<ResourceRow?> FindAsync(ResourceKind kind, Guid id, string? organization, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        SelectById(command, kind.Columns, kind.Table, id, organization);
        return await ReadSingleAsync(command, ct);
    }

    /// <summary>One page plus the id to continue after, if there are more rows.</summary>
    public async Task<(IReadOnlyList<ResourceRow> Items, Guid? Next)> ListAsync(ResourceKind kind, ListQuery query, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        var sql = new StringBuilder($"SELECT {kind.Columns} FROM {kind.Table} WHERE true");
        void Filter(string column, string op, object? value)
        {
            if (value is not null)
            {
                sql.Append($" AND {column} {op} @{column}");
                command.Parameters.AddWithValue(column, value);
            }
        }

        Filter("organization", "=", query.Organization);
        Filter("cluster_id", "=", query.ClusterId);
        Filter("phase", "=", query.Phase);
        Filter("id", ">", query.After);

        query.Selector?.AppendSql(sql, command.Parameters);
        sql.Append(" ORDER BY id LIMIT @limit");
        command.Parameters.AddWithValue("limit", Page.FetchCount(query.Limit));
        command.CommandText = sql.ToString();

        var rows = new List<ResourceRow>(Page.FetchCount(query.Limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(Read(reader));
        }

        return (rows, Page.Trim(rows, query.Limit, r => r.Id));
    }

    /// <summary>
    /// Inserts a resource with its <c>.created</c> event. With an idempotency key, a repeat of the
    /// same request returns the stored first response instead (see <see cref="Idempotency"/>).
    /// </summary>
    public async Task<CreateOutcome> CreateAsync(ResourceKind kind, NewResource resource, IdempotencyKey? key,
        Func<ResourceRow, string> renderResponse, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        if (key is not null && await Idempotency.ClaimAsync(connection, key, ct) is { } replay)
        {
            return new CreateOutcome(null, replay);
        }

        var organization = resource.Organization;
        if (kind == ResourceKind.NodePool)
        {
            organization = await LockParentClusterAsync(connection, resource.ClusterId!.Value, resource.Organization, ct);
        }

        await using var command = new NpgsqlCommand($"""
            WITH created AS (
                INSERT INTO {kind.Table} (id, {(kind == ResourceKind.NodePool ? "cluster_id, " : "")}organization, name, labels, spec,
                    generation, resource_version, created_at, updated_at, created_by, phase, status{kind.ReconcileColumn})
                VALUES (@id, {(kind == ResourceKind.NodePool ? "@cluster_id, " : "")}@org, @name, @labels, @spec,
                    1, 1, now(), now(), @actor, 'Pending', aggregate_status(@id, 1, false, @required, NULL, now()){kind.ReconcileValue})
                RETURNING {kind.Columns}
            ), event AS (
                INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
                SELECT @event_id, @event_type, cluster_id, {kind.NodePoolIdColumn}, generation, created_at, @traceparent
                FROM created
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT cluster_id, {kind.NodePoolIdColumn}, 'create', @actor, generation FROM created
            )
            SELECT * FROM created
            """, connection, transaction);
        command.Parameters.AddWithValue("id", resource.Id);
        if (kind == ResourceKind.NodePool)
        {
            command.Parameters.AddWithValue("cluster_id", resource.ClusterId!.Value);
        }

        command.Parameters.AddWithValue("org", organization!);
        command.Parameters.AddWithValue("name", resource.Name);
        command.Parameters.Add(new NpgsqlParameter("labels", NpgsqlDbType.Jsonb) { Value = resource.Labels });
        command.Parameters.Add(new NpgsqlParameter("spec", NpgsqlDbType.Jsonb) { Value = resource.Spec });
        AddWriteParameters(command, kind, kind.Event("created"), resource.CreatedBy);

        ResourceRow row;
        try
        {
            row = (await ReadSingleAsync(command, ct))!;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName?.EndsWith("_live_name_key", StringComparison.Ordinal) == true)
        {
            throw ApiException.Conflict("name-conflict", kind == ResourceKind.Cluster
                ? $"A live cluster named '{resource.Name}' already exists in this organization."
                : $"A live node pool named '{resource.Name}' already exists in this cluster.");
        }

        if (key is not null)
        {
            await Idempotency.CompleteAsync(connection, key, new StoredResponse(StatusCodes.Status201Created, row.ETag, renderResponse(row)), ct);
        }

        await transaction.CommitAsync(ct);
        await OutboxSignal.SendAsync(connection, logger);
        return new CreateOutcome(row, null);
    }

    /// <summary>
    /// Replaces labels and spec with what <paramref name="change"/> computes from the locked current row.
    /// Generation rises only when the spec changes; an unchanged document writes nothing and queues no event.
    /// </summary>
    public async Task<ResourceRow> UpdateAsync(ResourceKind kind, Guid id, string? organization, string? ifMatch, string actor,
        Func<ResourceRow, (string Labels, string Spec)> change, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var current = await LockForWriteAsync(connection, kind, id, organization, ifMatch, ct);
        if (current.IsDeleting)
        {
            throw ApiException.Conflict("resource-deleting", $"{kind.Name} {id} is being deleted and can no longer be changed.");
        }

        var (labels, spec) = change(current);
        // A spec change raises the generation, and the aggregated status is recomputed for it: Ready
        // turns False until every required controller has reported the new generation.
        await using var command = new NpgsqlCommand($"""
            WITH next AS (
                SELECT CASE WHEN spec <> @spec THEN generation + 1 ELSE generation END AS generation, status
                FROM {kind.Table} WHERE id = @id
            ), computed AS (
                SELECT generation, aggregate_status(@id, generation, false, @required, status, clock_timestamp()) AS status FROM next
            ), updated AS (
                UPDATE {kind.Table} t
                SET labels = @labels, spec = @spec, generation = computed.generation,
                    status = computed.status, phase = computed.status ->> 'phase',
                    resource_version = t.resource_version + 1,
                    updated_at = now(){kind.ReconcileAssignment}
                FROM computed
                WHERE t.id = @id AND (t.spec <> @spec OR t.labels <> @labels)
                RETURNING {kind.QualifiedColumns("t")}
            ), event AS (
                INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
                SELECT @event_id, @event_type, cluster_id, {kind.NodePoolIdColumn}, generation, updated_at, @traceparent
                FROM updated
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT cluster_id, {kind.NodePoolIdColumn}, 'update', @actor, generation FROM updated
            )
            SELECT * FROM updated
            """, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("labels", NpgsqlDbType.Jsonb) { Value = labels });
        command.Parameters.Add(new NpgsqlParameter("spec", NpgsqlDbType.Jsonb) { Value = spec });
        AddWriteParameters(command, kind, kind.Event("updated"), actor);
        var updated = await ReadSingleAsync(command, ct);
        await transaction.CommitAsync(ct);
        if (updated is not null)
        {
            await OutboxSignal.SendAsync(connection, logger);
        }

        return updated ?? current;
    }

    /// <summary>
    /// Soft delete: sets <c>deletionTimestamp</c>, raises the generation, and for a cluster marks its
    /// live node pools deleting too, queueing one <c>.deleted</c> event per resource. Repeating it changes nothing.
    /// </summary>
    public async Task<ResourceRow> DeleteAsync(ResourceKind kind, Guid id, string? organization, string? ifMatch, string actor, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var current = await LockForWriteAsync(connection, kind, id, organization, ifMatch, ct);
        if (current.IsDeleting)
        {
            return current;
        }

        // A cluster's live node pools are marked deleting in the same statement; every resource raises
        // its generation (the deletion generation its controllers must finalize) and gets its event.
        await using var command = new NpgsqlCommand($"""
            WITH deleted AS (
                UPDATE {kind.Table}
                SET deletion_timestamp = now(), generation = generation + 1, resource_version = resource_version + 1, updated_at = now(),
                    phase = 'Deleting', status = aggregate_status(id, generation + 1, true, @required, status, clock_timestamp()){kind.ReconcileAssignment}
                WHERE id = @id
                RETURNING {kind.Columns}
            ), pools AS (
                UPDATE node_pools
                SET deletion_timestamp = now(), generation = generation + 1, resource_version = resource_version + 1, updated_at = now(),
                    phase = 'Deleting', status = aggregate_status(id, generation + 1, true, @pool_required, status, clock_timestamp())
                WHERE @cascade AND cluster_id = @id AND deletion_timestamp IS NULL
                RETURNING id, cluster_id, generation, updated_at
            ), events AS (
                INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
                SELECT @event_id, @event_type, cluster_id, {kind.NodePoolIdColumn}, generation, updated_at, @traceparent FROM deleted
                UNION ALL
                SELECT uuidv7(), 'nodepool.deleted', cluster_id, id, generation, updated_at, @traceparent FROM pools
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT cluster_id, {kind.NodePoolIdColumn}, 'delete', @actor, generation FROM deleted
                UNION ALL
                SELECT cluster_id, id, 'delete', @actor, generation FROM pools
            )
            SELECT * FROM deleted
            """, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("cascade", kind == ResourceKind.Cluster);
        command.Parameters.AddWithValue("pool_required", options.Value.RequiredControllers.NodePool.ToArray());
        AddWriteParameters(command, kind, kind.Event("deleted"), actor);
        var deleted = (await ReadSingleAsync(command, ct))!;
        await transaction.CommitAsync(ct);
        await OutboxSignal.SendAsync(connection, logger);
        return deleted;
    }

    /// <summary>
    /// Force delete (admins): removes the resource, its reports and, for a cluster, its node pools at
    /// once, without waiting for the controllers. Each removal is audited with the reason, and the
    /// <c>.deleted</c> event still goes out so controllers clean up what they can.
    /// </summary>
    public async Task ForceDeleteAsync(ResourceKind kind, Guid id, string? ifMatch, string actor, string reason, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var current = await LockForWriteAsync(connection, kind, id, null, ifMatch, ct);
        // Separate statements, in this order: node pools reference their cluster with ON DELETE RESTRICT.
        await using var command = new NpgsqlCommand($"""
            DELETE FROM resource_statuses
            WHERE resource_id = @id OR resource_id IN (SELECT id FROM node_pools WHERE cluster_id = @id);

            WITH pools AS (
                DELETE FROM node_pools WHERE {(kind == ResourceKind.Cluster ? "cluster_id" : "id")} = @id RETURNING id, cluster_id, generation
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation, reason)
                SELECT cluster_id, id, 'force-delete', @actor, generation, @reason FROM pools
            )
            INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
            SELECT uuidv7(), 'nodepool.deleted', cluster_id, id, generation + 1, now(), @traceparent FROM pools;

            WITH gone AS (
                DELETE FROM clusters WHERE @is_cluster AND id = @id RETURNING id, generation
            ), audit AS (
                INSERT INTO audit_log (cluster_id, action, actor, generation, reason)
                SELECT id, 'force-delete', @actor, generation, @reason FROM gone
            )
            INSERT INTO outbox (id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent)
            SELECT @event_id, @event_type, id, NULL, generation + 1, now(), @traceparent FROM gone;

            -- A deleting cluster may have waited only for this node pool.
            SELECT finalize_cluster_if_done(@cluster_id, @cluster_required, @actor) WHERE NOT @is_cluster;
            """, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("cluster_id", current.ClusterId);
        command.Parameters.AddWithValue("cluster_required", options.Value.RequiredControllers.Cluster.ToArray());
        command.Parameters.AddWithValue("is_cluster", kind == ResourceKind.Cluster);
        command.Parameters.AddWithValue("reason", reason);
        AddWriteParameters(command, kind, ResourceKind.Cluster.Event("deleted"), actor);
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        await OutboxSignal.SendAsync(connection, logger);
    }

    /// <summary>Locks the row for the rest of the transaction and checks existence (404) and If-Match (412).</summary>
    private static async Task<ResourceRow> LockForWriteAsync(NpgsqlConnection connection, ResourceKind kind, Guid id, string? organization,
        string? ifMatch, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand { Connection = connection };
        SelectById(command, kind.Columns, kind.Table, id, organization, " FOR UPDATE");
        var row = await ReadSingleAsync(command, ct) ?? throw ApiException.NotFound(kind.Name, id);
        if (!EntityTags.Matches(ifMatch, row.ETag))
        {
            throw ApiException.PreconditionFailed();
        }

        return row;
    }

    /// <summary>
    /// A node pool's cluster must be visible to the caller (404) and live (409). FOR SHARE makes a
    /// concurrent cluster delete wait for this insert, so its cascade cannot miss the new pool.
    /// </summary>
    private static async Task<string> LockParentClusterAsync(NpgsqlConnection connection, Guid clusterId, string? organization, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand { Connection = connection };
        SelectById(command, "organization, deletion_timestamp IS NOT NULL", ResourceKind.Cluster.Table, clusterId, organization, " FOR SHARE");
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw ApiException.NotFound("Cluster", clusterId);
        }

        if (reader.GetBoolean(1))
        {
            throw ApiException.Conflict("cluster-deleting", $"Cluster {clusterId} is being deleted; node pools can no longer be added to it.");
        }

        return reader.GetString(0);
    }

    private string[] Required(ResourceKind kind) =>
        (kind == ResourceKind.Cluster ? options.Value.RequiredControllers.Cluster : options.Value.RequiredControllers.NodePool).ToArray();

    /// <summary>A lookup by id, confined to <paramref name="organization"/> unless it is null (admins, controllers).</summary>
    private static void SelectById(NpgsqlCommand command, string columns, string table, Guid id, string? organization, string suffix = "")
    {
        command.CommandText = $"SELECT {columns} FROM {table} WHERE id = @id" + (organization is null ? "" : " AND organization = @org") + suffix;
        command.Parameters.AddWithValue("id", id);
        if (organization is not null)
        {
            command.Parameters.AddWithValue("org", organization);
        }
    }

    /// <summary>Parameters every write statement shares: its event, its audit actor and the kind's required controllers.</summary>
    private void AddWriteParameters(NpgsqlCommand command, ResourceKind kind, string eventType, string actor)
    {
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("required", Required(kind));
        // Every write postpones the cluster's next scheduled reconcile (see ReconcileScheduler).
        command.Parameters.AddWithValue("not_ready_after", reconcile.Value.NotReadyAfter);
        command.Parameters.AddWithValue("event_id", Guid.CreateVersion7());
        command.Parameters.AddWithValue("event_type", eventType);
        // W3C traceparent of the request, so the event's consumers join the same trace.
        command.Parameters.Add(TraceContext.Current());
    }

    private static async Task<ResourceRow?> ReadSingleAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static ResourceRow Read(NpgsqlDataReader r) => new(
        r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6), r.GetInt64(7),
        r.GetDateTime(8), r.GetDateTime(9), r.GetString(10), r.IsDBNull(11) ? null : r.GetDateTime(11), r.GetString(12));
}

internal sealed record CreateOutcome(ResourceRow? Created, StoredResponse? Replay);
