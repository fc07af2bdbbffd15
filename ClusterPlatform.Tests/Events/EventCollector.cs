using System.Collections.Concurrent;
using ClusterPlatform.PubSub.V1;
using ClusterPlatform.Tests.PubSub;
using Npgsql;

namespace ClusterPlatform.Tests.Events;

/// <summary>An outbox row as a test reads it back.</summary>
public sealed record StoredEvent(Guid Id, string Type, Guid ClusterId, Guid? NodePoolId, long Generation, string? TraceParent, bool Published);

/// <summary>
/// Listens on every controller's subscription of an Api's Pub/Sub project, the way the controllers
/// do, and keeps what arrives, so tests can compare it with what the outbox committed.
/// </summary>
internal sealed class EventCollector : IAsyncDisposable
{
    private readonly List<RunningSubscriber> subscribers = [];

    public ConcurrentDictionary<string, ConcurrentQueue<PubsubMessage>> Received { get; } = new();

    public static EventCollector Start(ApiServer api)
    {
        var collector = new EventCollector();
        var connection = api.Emulator.Connect(api.PubSubProjectId);
        foreach (var controller in ControllerNames.All)
        {
            var queue = collector.Received.GetOrAdd(controller, _ => new ConcurrentQueue<PubsubMessage>());
            collector.subscribers.Add(new RunningSubscriber(connection, controller, (m, _) =>
            {
                queue.Enqueue(m.Message);
                return Task.CompletedTask;
            }));
        }

        return collector;
    }

    /// <summary>Waits until every subscription has received every one of <paramref name="ids"/>.</summary>
    public Task WaitForAsync(IEnumerable<Guid> ids) =>
        Wait.UntilAsync(() => Task.FromResult(ControllerNames.All.All(c => ids.All(id => IdsOn(c).Contains(id)))),
            TimeSpan.FromSeconds(60), "every subscription to receive the expected events");

    public HashSet<Guid> IdsOn(string controller) =>
        Received.TryGetValue(controller, out var queue)
            ? queue.Select(m => ClusterEvent.TryParse(m.Data.Span, m.Attributes)!.Id).ToHashSet()
            : [];

    public async ValueTask DisposeAsync()
    {
        foreach (var subscriber in subscribers)
        {
            await subscriber.DisposeAsync();
        }
    }

    /// <summary>Every outbox row of the Api's database, oldest first.</summary>
    public static async Task<List<StoredEvent>> OutboxAsync(ApiServer api)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, type, cluster_id, node_pool_id, generation, traceparent, published_at IS NOT NULL FROM outbox ORDER BY occurred_at, id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<StoredEvent>();
        while (await reader.ReadAsync())
        {
            rows.Add(new StoredEvent(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3),
                reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetBoolean(6)));
        }

        return rows;
    }

    /// <summary>Waits until the relay has published every outbox row.</summary>
    public static Task WaitUntilRelayedAsync(ApiServer api, TimeSpan? patience = null) =>
        Wait.UntilAsync(async () => (await OutboxAsync(api)).All(e => e.Published), patience ?? TimeSpan.FromSeconds(60),
            "the relay to publish every outbox row");
}
