using ClusterPlatform.Api.Events;
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
        await using var command = dataSource.CreateCommand(kind.Sql.Find);
        AddId(command, id, organization);
        return await ReadSingleAsync(command, ct);
    }

    /// <summary>The resource version of the row <see cref="FindAsync"/> would return, or null when it would return none.</summary>
    public async Task<long?> FindVersionAsync(ResourceKind kind, Guid id, string? organization, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(kind.Sql.FindVersion);
        AddId(command, id, organization);
        return await command.ExecuteScalarAsync(ct) is long version ? version : null;
    }

    /// <summary>One page plus the id to continue after, if there are more rows.</summary>
    public async Task<(IReadOnlyList<ResourceRow> Items, Guid? Next)> ListAsync(ResourceKind kind, ListQuery query, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand();
        query.ApplyTo(command, kind.Sql.List);

        var rows = new List<ResourceRow>(Page.FetchCount(query.Limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(ResourceRow.Read(reader));
        }

        return (rows, Page.Trim(rows, query.Limit, r => r.Id));
    }

    /// <summary>
    /// Inserts a resource with its <c>.created</c> event and returns the created row. With an
    /// idempotency key, a repeat of the same request returns the row the first one created, as it was
    /// then, and creates nothing (see <see cref="Idempotency"/>).
    /// </summary>
    public async Task<ResourceRow> CreateAsync(ResourceKind kind, NewResource resource, IdempotencyKey? key, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        if (key is not null && await Idempotency.ClaimAsync(connection, key, ct) is { } first)
        {
            return first;
        }

        var organization = resource.Organization;
        if (kind == ResourceKind.NodePool)
        {
            organization = await LockParentClusterAsync(connection, resource.ClusterId!.Value, resource.Organization, ct);
        }

        await using var command = new NpgsqlCommand(kind.Sql.Create, connection, transaction);
        command.Parameters.AddWithValue("id", resource.Id);
        if (resource.ClusterId is { } clusterId)
        {
            command.Parameters.AddWithValue("cluster_id", clusterId);
        }

        command.Parameters.AddWithValue("org", organization!);
        command.Parameters.AddWithValue("name", resource.Name);
        AddUserDocument(command, resource.Labels, resource.Spec);
        AddWriteParameters(command, resource.CreatedBy);

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
            await Idempotency.CompleteAsync(connection, key, row, ct);
        }

        await transaction.CommitAsync(ct);
        await OutboxSignal.SendAsync(connection, logger);
        return row;
    }

    /// <summary>
    /// Replaces labels and spec with what <paramref name="change"/> computes from the locked current row.
    /// Generation rises only when the spec changes; an unchanged document writes nothing and queues no event.
    /// </summary>
    public async Task<ResourceRow> UpdateAsync(ResourceKind kind, Guid id, string? organization, string? ifMatch, string actor,
        Func<ResourceRow, Task<(string Labels, string Spec)>> change, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var current = await LockForWriteAsync(connection, kind, id, organization, ifMatch, ct);
        if (current.IsDeleting)
        {
            throw ApiException.Conflict("resource-deleting", $"{kind.Name} {id} is being deleted and can no longer be changed.");
        }

        var (labels, spec) = await change(current);
        await using var command = new NpgsqlCommand(kind.Sql.Update, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        AddUserDocument(command, labels, spec);
        AddWriteParameters(command, actor);
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

        await using var command = new NpgsqlCommand(kind.Sql.Delete, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        AddWriteParameters(command, actor);
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
        await using var command = new NpgsqlCommand(kind.Sql.ForceDelete, connection, transaction);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("cluster_id", current.ClusterId);
        command.Parameters.AddWithValue("reason", reason);
        AddWriteParameters(command, actor);
        await command.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        await OutboxSignal.SendAsync(connection, logger);
    }

    /// <summary>Locks the row for the rest of the transaction and checks existence (404) and If-Match (412).</summary>
    private static async Task<ResourceRow> LockForWriteAsync(NpgsqlConnection connection, ResourceKind kind, Guid id, string? organization,
        string? ifMatch, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(kind.Sql.Lock, connection);
        AddId(command, id, organization);
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
        await using var command = new NpgsqlCommand(ResourceStatements.LockParentCluster, connection);
        AddId(command, clusterId, organization);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            throw ApiException.NotFound(ResourceKind.Cluster.Name, clusterId);
        }

        if (reader.Column<bool>("deleting"))
        {
            throw ApiException.Conflict("cluster-deleting", $"Cluster {clusterId} is being deleted; node pools can no longer be added to it.");
        }

        return reader.Column<string>("organization");
    }

    /// <summary>A lookup's id and the organization it is confined to (null: any; admins, controllers).</summary>
    private static void AddId(NpgsqlCommand command, Guid id, string? organization)
    {
        command.Parameters.AddWithValue("id", id);
        command.Parameters.Add(new NpgsqlParameter("org", NpgsqlDbType.Text) { Value = (object?)organization ?? DBNull.Value });
    }

    private static void AddUserDocument(NpgsqlCommand command, string labels, string spec)
    {
        command.Parameters.Add(new NpgsqlParameter("labels", NpgsqlDbType.Jsonb) { Value = labels });
        command.Parameters.Add(new NpgsqlParameter("spec", NpgsqlDbType.Jsonb) { Value = spec });
    }

    /// <summary>Parameters every write statement shares: its event, its audit actor and the required controllers of both kinds.</summary>
    private void AddWriteParameters(NpgsqlCommand command, string actor)
    {
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("cluster_required", options.Value.RequiredControllers.Cluster.ToArray());
        command.Parameters.AddWithValue("node_pool_required", options.Value.RequiredControllers.NodePool.ToArray());
        command.Parameters.AddWithValue("not_ready_after", reconcile.Value.NotReadyAfter);
        command.Parameters.AddWithValue("event_id", Guid.CreateVersion7());
        // W3C traceparent of the request, so the event's consumers join the same trace.
        command.Parameters.Add(TraceContext.Current());
    }

    private static async Task<ResourceRow?> ReadSingleAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ResourceRow.Read(reader) : null;
    }
}
