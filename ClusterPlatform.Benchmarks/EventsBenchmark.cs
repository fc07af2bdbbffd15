using System.Collections.Concurrent;
using System.Diagnostics;
using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// What the events benchmark measured. <paramref name="CreatesPerSecond"/> is the rate the writers'
/// creates (one event each) went in at; <paramref name="Floor"/> is Pub/Sub alone at that rate.
/// </summary>
internal sealed record EventsResult(
    int Writers, double CreatesPerSecond, LatencySummary CommitToHandler, LatencySummary CommitToPublished, LatencySummary PublishedToHandler,
    PubSubFloorResult Floor, int RelayEvents, double RelayEventsPerSecond);

/// <summary>
/// Commit-to-handler latency of cluster events through the real path (API write, outbox, NOTIFY,
/// relay, emulator, StreamingPull subscriber), Pub/Sub alone at the same rate with the same messages
/// (<see cref="PubSubFloorBenchmark"/>), and the relay's throughput on a backlog.
/// </summary>
internal static class EventsBenchmark
{
    /// <summary>
    /// How the events and the floor's messages are received: as a controller receives them, with the
    /// Controllers' defaults (<c>Controllers:MaxConcurrency</c>, 8 handlers at once;
    /// <c>Controllers:MaxOutstandingMessages</c>, 4 × 8 = 32 held; <c>Controllers:AckDeadline</c>, 30 s),
    /// so that both rows see the same flow control. The environment variable the Controllers read,
    /// <c>Controllers__MaxOutstandingMessages</c>, sets the held count here too (and reaches the
    /// Controllers process the burst suite starts, which inherits the environment), so one variable
    /// A/Bs both suites; 8 is the behaviour before held and handled were apart.
    /// </summary>
    private static readonly SubscriberSettings ControllerLike = new()
    {
        MaxConcurrentHandlers = 8,
        MaxOutstandingMessages = int.TryParse(Environment.GetEnvironmentVariable("Controllers__MaxOutstandingMessages"), out var held) ? held : 4 * 8,
        AckDeadline = TimeSpan.FromSeconds(30),
    };

    /// <summary>
    /// Receives <paramref name="subscription"/> like a controller until <paramref name="stop"/> fires,
    /// and notes when the handler started for each cluster event, by its id (its first delivery).
    /// </summary>
    internal static Task ListenAsync(PubSubConnection connection, string subscription, ConcurrentDictionary<Guid, DateTime> handlerStarts, CancellationToken stop) =>
        new PubSubSubscriber(connection).RunAsync(subscription, (message, _) =>
        {
            var now = DateTime.UtcNow;
            if (ClusterEvent.TryParse(message.Message.Data.Span, message.Message.Attributes) is { } e)
            {
                handlerStarts.TryAdd(e.Id, now);
            }

            return Task.CompletedTask;
        }, ControllerLike, stop);

    public static async Task<EventsResult> RunAsync(BenchmarkEnvironment environment, int events, int writers, int backlog)
    {
        using var client = environment.Client("bench");
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);

        // One write first: the relay creates the topic and the subscriptions before its first publish.
        await ApiRequests.CreateClusterAsync(client, "warm-up");
        await UntilAsync(async () => await UnpublishedAsync(database) == 0, "the first event to be relayed");

        var handlerStarts = new ConcurrentDictionary<Guid, DateTime>();
        using var stop = new CancellationTokenSource();
        using var connection = environment.PubSub();
        var subscriber = ListenAsync(connection, ControllerNames.Placement, handlerStarts, stop.Token);

        Console.Error.WriteLine($"events: {events} cluster creates from {writers} concurrent writers…");
        var next = 0;
        var creating = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, writers).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i <= events)
            {
                await ApiRequests.CreateClusterAsync(client, $"bench-{i}");
            }
        }));
        var createsPerSecond = events / creating.Elapsed.TotalSeconds;

        var committed = await CommittedAsync(database);
        await UntilAsync(() => Task.FromResult(committed.Keys.All(handlerStarts.ContainsKey)), "every event to reach the handler");
        var latencies = LatencySummary.Of(committed.Select(c => (handlerStarts[c.Key] - c.Value.Committed).TotalMilliseconds));
        // Where the time goes: in the database and relay, or in Pub/Sub and the subscriber.
        var relayed = LatencySummary.Of(committed.Select(c => (c.Value.Published - c.Value.Committed).TotalMilliseconds));
        var delivered = LatencySummary.Of(committed.Select(c => (handlerStarts[c.Key] - c.Value.Published).TotalMilliseconds));

        // Before the backlog, so that the emulator holds what it held during the creates, not 10,000 events more.
        var floor = await PubSubFloorBenchmark.RunAsync(environment, [.. committed.Values.Select(c => c.Message)], writers, createsPerSecond);

        Console.Error.WriteLine($"events: relaying a backlog of {backlog} events…");
        var relayRate = await RelayBacklogAsync(database, backlog);
        await stop.CancelAsync();
        await subscriber;

        return new EventsResult(writers, createsPerSecond, latencies, relayed, delivered, floor, backlog, relayRate);
    }

    /// <summary>Queues <paramref name="count"/> events in one transaction and times the relay until every one is published.</summary>
    private static async Task<double> RelayBacklogAsync(NpgsqlDataSource database, int count)
    {
        // enqueue_event is how the Api queues events (ClusterPlatform.Api/Data/Functions), so the backlog's rows are the Api's.
        await using (var insert = database.CreateCommand(
            "SELECT enqueue_event(@type, uuidv7(), NULL, 1, NULL) FROM generate_series(1, @count)"))
        {
            insert.Parameters.AddWithValue("count", count);
            insert.Parameters.AddWithValue("type", EventTypes.ClusterReconcile);
            await insert.ExecuteNonQueryAsync();
        }

        // Whoever writes to the outbox wakes the relays once committed, as the Api does (its OutboxSignal).
        await using (var notify = database.CreateCommand("NOTIFY outbox"))
        {
            await notify.ExecuteNonQueryAsync();
        }

        var started = Stopwatch.GetTimestamp();
        await UntilAsync(async () => await UnpublishedAsync(database) == 0, "the backlog to be relayed", pollMs: 5);
        return count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    /// <summary>
    /// The benchmark's events: when their transaction wrote them, when the relay marked them
    /// published, and the message the relay made of each (the floor publishes the same ones).
    /// </summary>
    private static async Task<Dictionary<Guid, (DateTime Committed, DateTime Published, PubsubMessage Message)>> CommittedAsync(NpgsqlDataSource database)
    {
        await UntilAsync(async () => await UnpublishedAsync(database) == 0, "the relay to publish every event");
        await using var command = database.CreateCommand("""
            SELECT o.id, o.occurred_at, o.published_at, o.type, o.cluster_id, o.generation, o.traceparent
            FROM outbox o JOIN clusters c ON c.id = o.cluster_id
            WHERE o.type = 'cluster.created' AND c.name LIKE 'bench-%'
            """);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<Guid, (DateTime, DateTime, PubsubMessage)>();
        while (await reader.ReadAsync())
        {
            var id = reader.GetGuid(0);
            var message = PubSubFloorBenchmark.Message(new ClusterEvent(id, reader.GetString(3), reader.GetGuid(4), null, reader.GetInt64(5)),
                reader.IsDBNull(6) ? null : reader.GetString(6));
            rows[id] = (reader.GetDateTime(1), reader.GetDateTime(2), message);
        }

        return rows;
    }

    internal static async Task<long> UnpublishedAsync(NpgsqlDataSource database)
    {
        await using var command = database.CreateCommand("SELECT count(*) FROM outbox WHERE published_at IS NULL");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Polls until the condition holds; <paramref name="minutes"/> (5 unless told) without it is a failed run, not a figure.</summary>
    internal static async Task UntilAsync(Func<Task<bool>> condition, string what, int pollMs = 20, int minutes = 5)
    {
        var deadline = DateTime.UtcNow.AddMinutes(minutes);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {minutes} minutes for {what}.");
            }

            await Task.Delay(pollMs);
        }
    }
}
