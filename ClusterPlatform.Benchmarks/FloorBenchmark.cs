using System.Diagnostics;
using ClusterPlatform.Api.Data;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// One operation at one client count: the Api and the floor under the same wrk load, and pgbench on the
/// same statement where there is one (the list has none: its SQL is built per request).
/// </summary>
/// <remarks>
/// <see cref="Api"/> and <see cref="Floor"/> are <see cref="FloorBenchmark.Rounds"/> alternating windows merged
/// (<see cref="WrkLoad.Merge"/>); <see cref="RoundRatios"/> are the Api's requests/s over the floor's in each round.
/// </remarks>
internal sealed record FloorComparison(string Operation, int Clients, WrkLoad Api, WrkLoad Floor, IReadOnlyList<double> RoundRatios, LoadResult? Pgbench, double? Goal)
{
    /// <summary>
    /// The Api's requests/s over the floor's: the median of the rounds' ratios, so a window in which the
    /// shared machine slowed down moves one round, not the figure.
    /// </summary>
    public double OfFloor => LatencySummary.Median(RoundRatios);

    /// <summary>All the Api's requests over all the floor's, in the same total time.</summary>
    public double PooledOfFloor => Api.Load.RequestsPerSecond / Floor.Load.RequestsPerSecond;

    /// <summary>The Api's requests/s over pgbench's transactions/s.</summary>
    public double? OfPgbench => Pgbench is { } p ? Api.Load.RequestsPerSecond / p.RequestsPerSecond : null;

    /// <summary>The Api's median latency over the floor's.</summary>
    public double P50OverFloor => Api.Load.Latency.P50Ms / Floor.Load.Latency.P50Ms;
}

/// <summary>
/// The throughput suite's .NET load generator (<see cref="ClosedLoopLoad"/>) on the same GET, with the CPU
/// this process (the client, nothing else runs in it meanwhile) and the Api spent: what wrk saves.
/// CPU is over the warm-up and the run together.
/// </summary>
internal sealed record DotnetClientLoad(LoadResult Load, double ClientCpuShare, double ClientCpuUsPerRequest, double ApiCpuMsPerRequest);

internal sealed record FloorResult(string LoadGenerator, IReadOnlyList<FloorComparison> Comparisons, IReadOnlyList<DotnetClientLoad> DotnetClient);

/// <summary>
/// The Api against its floor (<see cref="FloorServer"/>: Kestrel and Npgsql running the Api's own
/// statements, with nothing else) and against pgbench, all three in the same run on the same database
/// and rows: GET of a random seeded cluster with a controller's token, an admin's list by label
/// selector, and a user's create with the throughput suite's body. The Api and the floor are driven
/// by the same wrk load (<see cref="Wrk"/>); wrk's and each server's CPU are recorded with every run.
/// </summary>
internal static class FloorBenchmark
{
    public const string Get = "GET /clusters/{id}";
    public const string List = "GET /clusters?labelSelector=" + ApiRequests.ListSelector;
    public const string Create = "POST /clusters";

    /// <summary>The goals set for the Api's share of the floor at 8 clients.</summary>
    private static double? GoalOf(string operation, int clients) => (operation, clients) switch
    {
        (Get, 8) => 0.8,
        (List, 8) => 0.7,
        (Create, 8) => 0.8,
        _ => null,
    };

    /// <summary>Alternating windows per comparison: the run's duration split into this many for each server.</summary>
    public const int Rounds = 5;

    /// <summary>The goal for one client's GET: the Api's p50 at most this many times the floor's.</summary>
    public const double GetP50OverFloorGoal = 1.5;

    public static async Task<FloorResult> RunAsync(BenchmarkEnvironment environment, SeededRange seeded, IReadOnlyList<int> clientCounts,
        TimeSpan duration)
    {
        await using var floor = await FloorServer.StartAsync(environment.ConnectionString);
        // The callers of the throughput suite: a controller reads single clusters (no rate limit applies
        // to controllers, and the benchmark turns the limits off besides), an admin lists, a user creates.
        var controller = environment.ControllerToken(ControllerNames.Placement);
        var admin = environment.Token("bench", "admin");
        var user = environment.Token("load");
        var pgbench = new Pgbench(environment.PostgresBinDirectory, environment.ConnectionString);
        var clusters = ResourceKind.Cluster.PathBase;
        var warmUp = TimeSpan.FromSeconds(1);
        TimeSpan ApiCpu()
        {
            environment.Api.Refresh();
            return environment.Api.TotalProcessorTime;
        }

        // The floor runs in this process; the rest of it waits on wrk meanwhile.
        static TimeSpan FloorCpu()
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }

        // Every create (the Api's, the floor's and pgbench's) queues an event that the Api's relays then
        // publish, on the same cores. Each comparison starts once they have, so a GET is not measured
        // against the relaying of the creates before it; during the creates the relays work for all three.
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);
        Task RelayedAsync() => EventsBenchmark.UntilAsync(async () => await EventsBenchmark.UnpublishedAsync(database) == 0,
            "the relays to publish the creates' events", pollMs: 100);

        var runs = 0;
        // The Api and the floor take turns in short windows, the first of each pair alternating, rather than
        // one 5 s run each: this machine's speed drifted by up to 2× between runs minutes apart (the floor
        // itself at 9,988 and 17,509 GETs/s at 8 clients on 2026-12-06), so two long runs one after the other
        // compared the two servers at different speeds.
        var window = duration / Rounds;
        async Task<(WrkLoad Api, WrkLoad Floor, IReadOnlyList<double> Ratios)> CompareAsync(string operation, Func<string, WrkRequest> apiRequest,
            Func<string, WrkRequest> floorRequest, int clients)
        {
            // Every run, warm-ups too, gets a name prefix of its own, so creates never collide.
            Task<WrkLoad> Api(string kind, TimeSpan length) =>
                Wrk.RunAsync($"API {operation}", environment.ApiAddress, apiRequest($"{kind}{++runs}-"), clients, length, ApiCpu);
            Task<WrkLoad> Floor(string kind, TimeSpan length) =>
                Wrk.RunAsync($"Floor {operation}", floor.Address, floorRequest($"{kind}{++runs}-"), clients, length, FloorCpu);

            await Api("w", warmUp);
            await Floor("w", warmUp);
            var (apis, floors) = (new List<WrkLoad>(), new List<WrkLoad>());
            for (var round = 0; round < Rounds; round++)
            {
                var apiFirst = round % 2 == 0;
                var first = await (apiFirst ? Api("r", window) : Floor("r", window));
                var second = await (apiFirst ? Floor("r", window) : Api("r", window));
                apis.Add(apiFirst ? first : second);
                floors.Add(apiFirst ? second : first);
            }

            return (WrkLoad.Merge(apis), WrkLoad.Merge(floors), [.. apis.Zip(floors, (a, f) => a.Load.RequestsPerSecond / f.Load.RequestsPerSecond)]);
        }

        (string Operation, Func<string?, string, WrkRequest> Request, string Token, Func<int, Task<LoadResult>>? Pgbench)[] operations =
        [
            (Get, (token, _) => Wrk.GetSeeded(seeded, clusters, token), controller,
                clients => pgbench.RunAsync(ThroughputBenchmark.PgbenchRead, PgbenchScripts.ReadCluster, clients, duration, PgbenchScripts.ReadVariables(seeded))),
            (List, (token, _) => Wrk.GetPath(ApiRequests.ListPath, token), admin, null),
            (Create, (token, prefix) => Wrk.Post(clusters, ApiRequests.ClusterBody, prefix, token), user,
                clients => pgbench.RunAsync(ThroughputBenchmark.PgbenchCreate, PgbenchScripts.CreateCluster, clients, duration, PgbenchScripts.CreateVariables)),
        ];

        // A pass over every operation on both servers first, not recorded: the floor's code is JIT-compiled
        // in this process and its pool and prepared statements are new, which a one-second warm-up
        // before the first (one-client) run does not cover.
        Console.Error.WriteLine("floor: warming both servers up…");
        foreach (var (operation, request, token, _) in operations)
        {
            await Wrk.RunAsync(operation, environment.ApiAddress, request(token, $"w{++runs}-"), 8, 2 * warmUp, ApiCpu);
            await Wrk.RunAsync(operation, floor.Address, request(null, $"w{++runs}-"), 8, 2 * warmUp, FloorCpu);
        }

        var comparisons = new List<FloorComparison>();
        var dotnetClient = new List<DotnetClientLoad>();
        foreach (var clients in clientCounts)
        {
            Console.Error.WriteLine($"floor: {clients} client(s), {duration.TotalSeconds} s per operation…");
            foreach (var (operation, request, token, pgbenchRun) in operations)
            {
                await RelayedAsync();
                var (api, bare, ratios) = await CompareAsync(operation, prefix => request(token, prefix), prefix => request(null, prefix), clients);
                var sql = pgbenchRun is null ? null : await pgbenchRun(clients);
                comparisons.Add(new FloorComparison(operation, clients, api, bare, ratios, sql, GoalOf(operation, clients)));
                if (operation == Get && clients == DotnetClientClients)
                {
                    dotnetClient.Add(await DotnetClientAsync(environment, seeded, clients, duration, warmUp, ApiCpu, FloorCpu));
                }
            }
        }

        return new FloorResult($"wrk ({Wrk.Executable}), one thread, one connection per client", comparisons, dotnetClient);
    }

    // One client count is enough to show the .NET client's cost; 8 is where the goals are set.
    private const int DotnetClientClients = 8;

    private static async Task<DotnetClientLoad> DotnetClientAsync(BenchmarkEnvironment environment, SeededRange seeded, int clients, TimeSpan duration,
        TimeSpan warmUp, Func<TimeSpan> apiCpu, Func<TimeSpan> ownCpu)
    {
        using var http = environment.ControllerClient(ControllerNames.Placement);
        var (client, api, started) = (ownCpu(), apiCpu(), Stopwatch.GetTimestamp());
        var load = await ClosedLoopLoad.RunAsync(ThroughputBenchmark.Get + ", .NET HttpClient loop", clients, duration, warmUp,
            random => ApiRequests.GetClusterAsync(http, ClusterSeed.IdOf(seeded.Pick(random))));
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var requests = load.RequestsPerSecond * seconds; // the warm-up's at the run's rate
        var clientSeconds = (ownCpu() - client).TotalSeconds;
        return new DotnetClientLoad(load, clientSeconds / seconds, clientSeconds * 1e6 / requests, (apiCpu() - api).TotalMilliseconds / requests);
    }
}
