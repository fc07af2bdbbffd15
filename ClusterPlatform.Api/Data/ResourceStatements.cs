namespace ClusterPlatform.Api.Data;

/// <summary>
/// The SQL <see cref="ResourceStore"/> runs for one kind, written out per kind so a reader sees what
/// each call runs. Every write returns the row's columns (<see cref="ResourceRow"/>, read by name) and,
/// in the same statement, queues the event (<c>enqueue_event</c>) and writes the audit row (<c>audit</c>)
/// of each resource it changes, from the RETURNING list of the write.
/// </summary>
/// <remarks>
/// Parameters: <c>@id</c>, <c>@org</c> (null: any organization), <c>@actor</c>, <c>@cluster_required</c>
/// and <c>@node_pool_required</c> (the controllers each kind's status waits for), <c>@not_ready_after</c>,
/// <c>@event_id</c>, <c>@traceparent</c>, and for writes of user input <c>@labels</c>, <c>@spec</c>, <c>@name</c>.
/// </remarks>
internal sealed record ResourceStatements(string Find, string Lock, string List, string Create, string Update, string Delete, string ForceDelete)
{
    /// <summary>
    /// <see cref="Find"/>'s row reduced to its version, with the same visibility: what a conditional GET
    /// (If-None-Match) compares, without reading the JSON columns.
    /// </summary>
    public required string FindVersion { get; init; }

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

        DELETE FROM node_pools WHERE id = @id OR cluster_id = @id
        RETURNING audit(cluster_id, id, 'force-delete', @actor, generation, @reason),
            enqueue_event('nodepool.deleted', cluster_id, id, generation + 1, @traceparent, now(), uuidv7());
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
                    'Pending', aggregate_status(@id, 1, false, @cluster_required, NULL, now(), @spec -> 'release' ->> 'version'), now() + @not_ready_after)
                RETURNING {ClusterRow},
                    enqueue_event('cluster.created', id, NULL, generation, @traceparent, created_at, @event_id),
                    audit(id, NULL, 'create', @actor, generation)
            )
            SELECT * FROM created
            """,
        // A spec change raises the generation, and the aggregated status is recomputed for it, with the
        // new spec's version as status.version.desired: Ready stays as the controllers last reported
        // until they report the new generation. An unchanged document updates no row, so it queues no event.
        Update: $"""
            WITH computed AS (
                SELECT next_generation, aggregate_status(id, next_generation, false, @cluster_required, status, clock_timestamp(), @spec -> 'release' ->> 'version') AS next_status
                FROM clusters, LATERAL (SELECT CASE WHEN spec <> @spec THEN generation + 1 ELSE generation END) AS n (next_generation)
                WHERE id = @id
            ), updated AS (
                UPDATE clusters
                SET labels = @labels, spec = @spec, generation = next_generation, status = next_status, phase = next_status ->> 'phase',
                    resource_version = resource_version + 1, updated_at = now(), next_reconcile_at = now() + @not_ready_after
                FROM computed
                WHERE id = @id AND (spec <> @spec OR labels <> @labels)
                RETURNING {ClusterRow},
                    enqueue_event('cluster.updated', id, NULL, generation, @traceparent, updated_at, @event_id),
                    audit(id, NULL, 'update', @actor, generation)
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
                RETURNING {ClusterRow},
                    enqueue_event('cluster.deleted', id, NULL, generation, @traceparent, updated_at, @event_id),
                    audit(id, NULL, 'delete', @actor, generation)
            ), pools AS (
                UPDATE node_pools
                {SetNodePoolDeleting}
                -- Reading deleted makes the cluster's row, and so its audit row, come before its node pools'.
                WHERE cluster_id IN (SELECT id FROM deleted) AND deletion_timestamp IS NULL
                RETURNING enqueue_event('nodepool.deleted', cluster_id, id, generation, @traceparent, updated_at, uuidv7()),
                    audit(cluster_id, id, 'delete', @actor, generation)
            )
            SELECT * FROM deleted
            """,
        ForceDelete: ForceDeleteNodePools + """

            DELETE FROM clusters WHERE id = @id
            RETURNING audit(id, NULL, 'force-delete', @actor, generation, @reason),
                enqueue_event('cluster.deleted', id, NULL, generation + 1, @traceparent, now(), @event_id);
            """)
    {
        FindVersion = $"SELECT resource_version FROM clusters {ById}",
    };

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
                    @actor, 'Pending', aggregate_status(@id, 1, false, @node_pool_required, NULL, now(), @spec ->> 'version'))
                RETURNING {NodePoolRow},
                    enqueue_event('nodepool.created', cluster_id, id, generation, @traceparent, created_at, @event_id),
                    audit(cluster_id, id, 'create', @actor, generation)
            )
            SELECT * FROM created
            """,
        // As a cluster's, without a reconcile schedule.
        Update: $"""
            WITH computed AS (
                SELECT next_generation, aggregate_status(id, next_generation, false, @node_pool_required, status, clock_timestamp(), @spec ->> 'version') AS next_status
                FROM node_pools, LATERAL (SELECT CASE WHEN spec <> @spec THEN generation + 1 ELSE generation END) AS n (next_generation)
                WHERE id = @id
            ), updated AS (
                UPDATE node_pools
                SET labels = @labels, spec = @spec, generation = next_generation, status = next_status, phase = next_status ->> 'phase',
                    resource_version = resource_version + 1, updated_at = now()
                FROM computed
                WHERE id = @id AND (spec <> @spec OR labels <> @labels)
                RETURNING {NodePoolRow},
                    enqueue_event('nodepool.updated', cluster_id, id, generation, @traceparent, updated_at, @event_id),
                    audit(cluster_id, id, 'update', @actor, generation)
            )
            SELECT * FROM updated
            """,
        Delete: $"""
            WITH deleted AS (
                UPDATE node_pools
                {SetNodePoolDeleting}
                WHERE id = @id
                RETURNING {NodePoolRow},
                    enqueue_event('nodepool.deleted', cluster_id, id, generation, @traceparent, updated_at, @event_id),
                    audit(cluster_id, id, 'delete', @actor, generation)
            )
            SELECT * FROM deleted
            """,
        ForceDelete: ForceDeleteNodePools + """

            -- A deleting cluster may have waited only for this node pool.
            SELECT finalize_cluster_if_done(@cluster_id, @cluster_required, @actor);
            """)
    {
        FindVersion = $"SELECT resource_version FROM node_pools {ById}",
    };
}
