using System.Text.RegularExpressions;
using ClusterPlatform.Api.Data;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// The SQL the Api executes, as pgbench scripts, so that pgbench measures PostgreSQL's own limit for
/// the same work. The statements are not copied: they are the Api's own (<see cref="ResourceStatements"/>,
/// compiled into this project from <c>ClusterPlatform.Api/Data/ResourceStatements.cs</c>), with each
/// <c>@parameter</c> turned into a pgbench variable (sent as a parameter too with <c>-M prepared</c>,
/// whose type PostgreSQL infers from where it stands, as it does for the Api's typed parameters) or,
/// where pgbench has no such value, into SQL that makes it. A parameter nobody mapped fails the
/// benchmark at start, so a statement that gains one cannot silently run differently here.
/// </summary>
internal static partial class PgbenchScripts
{
    /// <summary>
    /// The values <see cref="CreateCluster"/> takes, as the Api would send them for the benchmark's POST body.
    /// First in the class: the scripts below are built from it when the class initializes.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> CreateVariables = new Dictionary<string, string>
    {
        ["org"] = "pgbench",
        ["labels"] = """{"env": "prod"}""",
        ["spec"] = """{"dns": {"baseDomain": "acme.example.com"}, "gcp": {"region": "us-central1", "subnet": "pgbench-1f0c3-subnet", "infraId": "pgbench-1f0c3", "network": "pgbench-1f0c3-network", "projectId": "acme-prod-123"}, "release": {"version": "4.22.3"}, "networking": {"podCidr": "10.128.0.0/14", "machineCidr": "10.0.0.0/16", "serviceCidr": "172.30.0.0/16"}}""",
        ["actor"] = "benchmark",
        ["cluster_required"] = "{environment-validation-controller,placement-controller,dns-management-controller,operator-client-controller}",
        ["not_ready_after"] = BenchmarkEnvironment.NotReadyAfter,
        ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };

    /// <summary>The variables <see cref="ReadCluster"/> takes: the seed numbers it picks its random cluster from.</summary>
    public static Dictionary<string, string> ReadVariables(SeededRange seeded) => new()
    {
        ["first"] = seeded.First.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["last"] = seeded.Last.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// <c>ResourceStore.FindAsync</c> for a controller or admin (no organization filter): one row by primary key.
    /// The id is made from a random seed number in SQL because pgbench has no UUID variables.
    /// </summary>
    public static readonly string ReadCluster =
        "\\set n random(:first, :last)\n" +
        FromApi(ResourceStatements.Cluster.Find, new Dictionary<string, string>
        {
            ["id"] = ClusterSeed.IdSql(":n"),
            ["org"] = "NULL::text",
        }) + ";\n";

    /// <summary>
    /// <c>ResourceStore.CreateAsync</c> for a cluster without an idempotency key: the cluster row with its
    /// initial aggregated status, its event and its audit entry, in one statement. The ids the Api
    /// generates in C# are made by <c>uuidv7()</c> here (the cluster's in a leading CTE, the event's by
    /// <c>enqueue_event</c> for a NULL id), with the same time-ordered layout; the name is made unique
    /// from the id. One statement in autocommit: the least PostgreSQL can do for a create (the Api
    /// itself also sends BEGIN and COMMIT). Then, as the Api does after every event-writing commit, the
    /// relays' wake-up (<c>OutboxSignal</c>), pipelined into one round trip as Npgsql sends it.
    /// </summary>
    public static readonly string CreateCluster =
        WithLeadingCte("new_id AS (SELECT uuidv7() AS id)", FromApi(ResourceStatements.Cluster.Create, new Dictionary<string, string>
        {
            ["id"] = "(SELECT id FROM new_id)",
            ["name"] = "'pgbench-' || (SELECT id FROM new_id)",
            ["event_id"] = "NULL::uuid",
            // The Api sends the spec typed (NpgsqlDbType.Jsonb); pgbench's parameters are untyped, and
            // `@spec -> 'release'` leaves PostgreSQL nothing to infer a type from ("operator is not unique").
            ["spec"] = "CAST(:spec AS jsonb)",
        })) + """
        ;
        \startpipeline
        BEGIN;
        SET LOCAL synchronous_commit = off;
        NOTIFY outbox;
        COMMIT;
        \endpipeline
        """;


    /// <summary>
    /// The Api's statement with each <c>@name</c> replaced by its SQL in <paramref name="sql"/>, else by the
    /// pgbench variable <c>:name</c>, which must then be one of <see cref="CreateVariables"/> or the read's
    /// own. Statement text must be a single statement (no trailing semicolon), as Npgsql sends it.
    /// </summary>
    private static string FromApi(string statement, Dictionary<string, string> sql) =>
        Parameter().Replace(statement.Trim(), match =>
        {
            var name = match.Groups[1].Value;
            if (sql.TryGetValue(name, out var replacement))
            {
                return replacement;
            }

            return CreateVariables.ContainsKey(name)
                ? ":" + name
                : throw new InvalidOperationException($"The Api's statement takes @{name}, which the pgbench script does not map.");
        });

    private static string WithLeadingCte(string cte, string statement) =>
        statement.StartsWith("WITH ", StringComparison.Ordinal)
            ? $"WITH {cte}, {statement["WITH ".Length..]}"
            : throw new InvalidOperationException("The Api's create statement no longer starts with a WITH clause.");

    // An Npgsql named parameter; '@' appears in the Api's SQL only there.
    [GeneratedRegex(@"@([a-z_]+)")]
    private static partial Regex Parameter();
}
