namespace ClusterPlatform.Benchmarks;

/// <summary>
/// The SQL the Api executes, as pgbench scripts, so that pgbench measures PostgreSQL's own limit for
/// the same work. What the database does for it is shared, not copied: the status is
/// <c>aggregate_status</c>, the event <c>enqueue_event</c> and the audit entry <c>audit</c>, the
/// functions the Api calls (<c>ClusterPlatform.Api/Data/Functions</c>), so the rows they write cannot
/// drift from the Api's. What is left here is the statement around them, as in
/// <c>ClusterPlatform.Api/Data/ResourceStore.cs</c> (built at run time and internal to the Api, which
/// this project does not reference); keep it in step when that statement changes.
/// Values the Api sends as typed parameters are pgbench variables here (sent as parameters too with
/// <c>-M prepared</c>), cast to the type Npgsql would have declared.
/// </summary>
internal static class PgbenchScripts
{
    /// <summary>
    /// <c>ResourceStore.FindAsync</c> for a controller or admin (no organization filter): one row by primary key.
    /// The id is made from a random seed number in SQL because pgbench has no UUID variables.
    /// </summary>
    public static readonly string ReadCluster = $"""
        \set n random(:first, :last)
        SELECT id, id AS cluster_id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by, deletion_timestamp, status
        FROM clusters WHERE id = {ClusterSeed.IdSql(":n")};
        """;

    /// <summary>
    /// <c>ResourceStore.CreateAsync</c> for a cluster without an idempotency key: the cluster row with its
    /// initial aggregated status, its event and its audit entry, in one statement. The ids the Api
    /// generates in C# are made by <c>uuidv7()</c> here (the cluster's in a leading CTE, the event's by
    /// <c>enqueue_event</c>), with the same time-ordered layout; the name is made unique from the id.
    /// The two functions are called in the select list, once per created row (a CTE that only selected
    /// them would never run, not being read). One statement in autocommit: the least PostgreSQL can do for a
    /// create (the Api itself also sends BEGIN and COMMIT). Then, as the Api does after every
    /// event-writing commit, the relays' wake-up (<c>OutboxSignal</c>), pipelined into one round trip
    /// as Npgsql sends it.
    /// </summary>
    public const string CreateCluster = """
        WITH p AS (SELECT uuidv7() AS id),
        created AS (
            INSERT INTO clusters (id, organization, name, labels, spec,
                generation, resource_version, created_at, updated_at, created_by, phase, status, next_reconcile_at)
            SELECT p.id, :org, 'pgbench-' || p.id, :labels::jsonb, :spec::jsonb,
                1, 1, now(), now(), :actor, 'Pending', aggregate_status(p.id, 1, false, :required::text[], NULL, now()), now() + :not_ready_after::interval
            FROM p
            RETURNING id, id AS cluster_id, organization, name, labels, spec, generation, resource_version, created_at, updated_at, created_by, deletion_timestamp, status
        )
        SELECT created.*,
               enqueue_event(:event_type, cluster_id, NULL, generation, :traceparent, created_at),
               audit(cluster_id, NULL, 'create', :actor, generation)
        FROM created;
        \startpipeline
        BEGIN;
        SET LOCAL synchronous_commit = off;
        NOTIFY outbox;
        COMMIT;
        \endpipeline
        """;

    /// <summary>The values <see cref="CreateCluster"/> takes, as the Api would send them for the benchmark's POST body.</summary>
    public static readonly IReadOnlyDictionary<string, string> CreateVariables = new Dictionary<string, string>
    {
        ["org"] = "pgbench",
        ["labels"] = """{"env": "prod"}""",
        ["spec"] = """{"dns": {"baseDomain": "acme.example.com"}, "gcp": {"region": "us-central1", "subnet": "pgbench-1f0c3-subnet", "infraId": "pgbench-1f0c3", "network": "pgbench-1f0c3-network", "projectId": "acme-prod-123"}, "release": {"version": "4.22.3"}, "networking": {"podCidr": "10.128.0.0/14", "machineCidr": "10.0.0.0/16", "serviceCidr": "172.30.0.0/16"}}""",
        ["actor"] = "benchmark",
        ["required"] = "{environment-validation-controller,placement-controller,dns-management-controller,operator-client-controller}",
        ["not_ready_after"] = "01:00:00",
        ["event_type"] = "cluster.created",
        ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };
}
