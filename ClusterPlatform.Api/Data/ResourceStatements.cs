namespace ClusterPlatform.Api.Data;

/// <summary>
/// The SQL <see cref="ResourceStore"/> runs for one kind, written out per kind so a reader sees what
/// each call runs. Every write returns the row's columns (<see cref="ResourceRow"/>, read by name) and
/// writes one outbox row (the event) and one audit row per resource it changes, in the same statement.
/// </summary>
/// <remarks>
/// The outbox and audit inserts list their columns in the order of the <c>enqueue_event</c> and
/// <c>audit</c> SQL functions' parameters, so each <c>INSERT ... SELECT args FROM src</c> becomes a call
/// <c>enqueue_event(args)</c> or <c>audit(args)</c> in <c>src</c>'s RETURNING list.
/// Parameters: <c>@id</c>, <c>@org</c> (null: any organization), <c>@actor</c>, <c>@cluster_required</c>
/// and <c>@node_pool_required</c> (the controllers each kind's status waits for), <c>@not_ready_after</c>,
/// <c>@event_id</c>, <c>@traceparent</c>, and for writes of user input <c>@labels</c>, <c>@spec</c>, <c>@name</c>.
/// </remarks>
internal sealed record ResourceStatements(string Find, string Lock, string List, string Create, string Update, string Delete, string ForceDelete)
{
    // ResourceRow's columns after its two ids; both tables have them.
    private const string RowColumns =
        "organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by, deletion_timestamp, status";

    // A cluster is its own cluster.
    private const string ClusterRow = "id, id AS cluster_id, " + RowColumns;
    private const string NodePoolRow = "id, cluster_id, " + RowColumns;

    // A lookup by id, confined to @org unless it is null (admins, controllers).
    private const string ById = "WHERE id = @id AND (@org IS NULL OR organization = @org)";

    // A node pool's soft delete, on its own or in its cluster's: the deletion generation its controllers
    // must finalize, and the status aggregated for it.
    private const string SetNodePoolDeleting = """
        SET deletion_timestamp = now(), generation = generation + 1, resource_version = resource_version + 1, updated_at = now(),
                phase = 'Deleting', status = aggregate_status(id, generation + 1, true, @node_pool_required, status, clock_timestamp())
        """;

    /// <summary>A node pool's cluster, locked FOR SHARE while the pool is inserted: its organization, and whether it is deleting.</summary>
    public const string LockParentCluster =
        "SELECT organization, deletion_timestamp IS NOT NULL AS deleting FROM clusters " + ById + " FOR SHARE";

    // Force delete, first part for either kind: the reports, then the node pool (@id is a node pool) or the
    // cluster's node pools (@id is a cluster), each audited with the reason and announced. Separate
    // statements, in this order: node pools reference their cluster with ON DELETE RESTRICT.
    private const string ForceDeleteNodePools = """
        DELETE FROM resource_statuses
        WHERE resource_id = @id OR resource_id IN (SELECT id FROM node_pools WHERE cluster_id = @id);

        WITH pools AS (
            DELETE FROM node_pools WHERE id = @id OR cluster_id = @id RETURNING id, cluster_id, generation
        ), audit AS (
            INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation, reason)
            SELECT cluster_id, id, 'force-delete', @actor, generation, @reason FROM pools
        )
        INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
        SELECT 'nodepool.deleted', cluster_id, id, generation + 1, @traceparent, now(), uuidv7() FROM pools;
        """;

    public static readonly ResourceStatements Cluster = new(
        Find: $"SELECT {ClusterRow} FROM clusters {ById}",
        Lock: $"SELECT {ClusterRow} FROM clusters {ById} FOR UPDATE",
        List: $"SELECT {ClusterRow} FROM clusters WHERE true",
        // A new cluster starts at generation 1, Pending, with the status aggregated from no reports yet.
        // Every cluster write postpones its next scheduled reconcile (see ReconcileScheduler).
        Create: $"""
            WITH created AS (
                INSERT INTO clusters (id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by,
                    phase, status, next_reconcile_at)
                VALUES (@id, @org, @name, @labels, @spec, 1, 1, now(), now(), @actor,
                    'Pending', aggregate_status(@id, 1, false, @cluster_required, NULL, now()), now() + @not_ready_after)
                RETURNING {ClusterRow}
            ), event AS (
                INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
                SELECT 'cluster.created', id, NULL, generation, @traceparent, created_at, @event_id FROM created
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT id, NULL, 'create', @actor, generation FROM created
            )
            SELECT * FROM created
            """,
        // A spec change raises the generation, and the aggregated status is recomputed for it: Ready turns
        // False until every required controller has reported the new generation. An unchanged document
        // updates no row, so it queues no event.
        Update: $"""
            WITH computed AS (
                SELECT next_generation, aggregate_status(id, next_generation, false, @cluster_required, status, clock_timestamp()) AS next_status
                FROM clusters, LATERAL (SELECT CASE WHEN spec <> @spec THEN generation + 1 ELSE generation END) AS n (next_generation)
                WHERE id = @id
            ), updated AS (
                UPDATE clusters
                SET labels = @labels, spec = @spec, generation = next_generation, status = next_status, phase = next_status ->> 'phase',
                    resource_version = resource_version + 1, updated_at = now(), next_reconcile_at = now() + @not_ready_after
                FROM computed
                WHERE id = @id AND (spec <> @spec OR labels <> @labels)
                RETURNING {ClusterRow}
            ), event AS (
                INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
                SELECT 'cluster.updated', id, NULL, generation, @traceparent, updated_at, @event_id FROM updated
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT id, NULL, 'update', @actor, generation FROM updated
            )
            SELECT * FROM updated
            """,
        // The raised generation is the deletion generation the controllers must finalize. The cluster's
        // live node pools are marked deleting in the same statement, each with its own event and audit row.
        Delete: $"""
            WITH deleted AS (
                UPDATE clusters
                SET deletion_timestamp = now(), generation = generation + 1, resource_version = resource_version + 1, updated_at = now(),
                    phase = 'Deleting', status = aggregate_status(id, generation + 1, true, @cluster_required, status, clock_timestamp()),
                    next_reconcile_at = now() + @not_ready_after
                WHERE id = @id
                RETURNING {ClusterRow}
            ), pools AS (
                UPDATE node_pools
                {SetNodePoolDeleting}
                WHERE cluster_id = @id AND deletion_timestamp IS NULL
                RETURNING id, cluster_id, generation, updated_at
            ), events AS (
                INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
                SELECT 'cluster.deleted', id, NULL, generation, @traceparent, updated_at, @event_id FROM deleted
                UNION ALL
                SELECT 'nodepool.deleted', cluster_id, id, generation, @traceparent, updated_at, uuidv7() FROM pools
            ), audit AS (
                -- One insert, so the audit trail lists the cluster before its node pools.
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT id, NULL, 'delete', @actor, generation FROM deleted
                UNION ALL
                SELECT cluster_id, id, 'delete', @actor, generation FROM pools
            )
            SELECT * FROM deleted
            """,
        ForceDelete: ForceDeleteNodePools + """

            WITH gone AS (
                DELETE FROM clusters WHERE id = @id RETURNING id, generation
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation, reason)
                SELECT id, NULL, 'force-delete', @actor, generation, @reason FROM gone
            )
            INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
            SELECT 'cluster.deleted', id, NULL, generation + 1, @traceparent, now(), @event_id FROM gone;
            """);

    public static readonly ResourceStatements NodePool = new(
        Find: $"SELECT {NodePoolRow} FROM node_pools {ById}",
        Lock: $"SELECT {NodePoolRow} FROM node_pools {ById} FOR UPDATE",
        List: $"SELECT {NodePoolRow} FROM node_pools WHERE true",
        // As a cluster's, without a reconcile schedule (a cluster.reconcile covers its node pools). @org is
        // the parent cluster's organization, which the pool copies; ResourceStore locks the cluster first.
        Create: $"""
            WITH created AS (
                INSERT INTO node_pools (id, cluster_id, organization, name, labels, spec, generation, resource_version, created_at, updated_at,
                    created_by, phase, status)
                VALUES (@id, @cluster_id, @org, @name, @labels, @spec, 1, 1, now(), now(),
                    @actor, 'Pending', aggregate_status(@id, 1, false, @node_pool_required, NULL, now()))
                RETURNING {NodePoolRow}
            ), event AS (
                INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
                SELECT 'nodepool.created', cluster_id, id, generation, @traceparent, created_at, @event_id FROM created
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT cluster_id, id, 'create', @actor, generation FROM created
            )
            SELECT * FROM created
            """,
        // As a cluster's, without a reconcile schedule.
        Update: $"""
            WITH computed AS (
                SELECT next_generation, aggregate_status(id, next_generation, false, @node_pool_required, status, clock_timestamp()) AS next_status
                FROM node_pools, LATERAL (SELECT CASE WHEN spec <> @spec THEN generation + 1 ELSE generation END) AS n (next_generation)
                WHERE id = @id
            ), updated AS (
                UPDATE node_pools
                SET labels = @labels, spec = @spec, generation = next_generation, status = next_status, phase = next_status ->> 'phase',
                    resource_version = resource_version + 1, updated_at = now()
                FROM computed
                WHERE id = @id AND (spec <> @spec OR labels <> @labels)
                RETURNING {NodePoolRow}
            ), event AS (
                INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
                SELECT 'nodepool.updated', cluster_id, id, generation, @traceparent, updated_at, @event_id FROM updated
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT cluster_id, id, 'update', @actor, generation FROM updated
            )
            SELECT * FROM updated
            """,
        Delete: $"""
            WITH deleted AS (
                UPDATE node_pools
                {SetNodePoolDeleting}
                WHERE id = @id
                RETURNING {NodePoolRow}
            ), event AS (
                INSERT INTO outbox (type, cluster_id, node_pool_id, generation, traceparent, occurred_at, id)
                SELECT 'nodepool.deleted', cluster_id, id, generation, @traceparent, updated_at, @event_id FROM deleted
            ), audit AS (
                INSERT INTO audit_log (cluster_id, node_pool_id, action, actor, generation)
                SELECT cluster_id, id, 'delete', @actor, generation FROM deleted
            )
            SELECT * FROM deleted
            """,
        ForceDelete: ForceDeleteNodePools + """

            -- A deleting cluster may have waited only for this node pool.
            SELECT finalize_cluster_if_done(@cluster_id, @cluster_required, @actor);
            """);
}
