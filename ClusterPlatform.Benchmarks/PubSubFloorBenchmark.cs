using System.Collections.Concurrent;
using System.Diagnostics;
using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// Pub/Sub alone at the events row's load: <paramref name="Publishers"/> concurrent publishers, the
/// rate they were paced to (the events row's creates per second) and the rate they reached.
/// </summary>
internal sealed record PubSubFloorResult(int Publishers, double TargetPerSecond, double AchievedPerSecond, LatencySummary PublishToHandler);

/// <summary>
/// Pub/Sub's own floor, as pgbench is PostgreSQL's, at the load of the events row: the same event
/// messages (data and attributes as the relay made them), as many of them, from as many concurrent
/// publishers as the events row had writers, paced to the rate the writers' creates reached, through
/// <see cref="PubSubPublisher"/>, to a subscription received the way a controller receives its own
/// (<see cref="EventsBenchmark.ListenAsync"/>). The topic gets the events topic's shape too: a
/// dead-letter topic, and four subscriptions of which one is read, as only the placement
/// controller's is read in the events row. Timed from the start of each publish to the start of its
/// handler, with no database, relay or Api in the path: commit to handler cannot be lower than this.
/// </summary>
internal static class PubSubFloorBenchmark
{
    private const string Topic = "benchmark-floor";
    private const string DeadLetterTopic = "benchmark-floor-dead-letter";

    /// <summary>The message the relay publishes for an event (the Api's <c>EventMessages</c>): the event's compact JSON, its type and trace context as attributes.</summary>
    public static PubsubMessage Message(ClusterEvent clusterEvent, string? traceParent)
    {
        var message = new PubsubMessage { Data = ByteString.CopyFrom(clusterEvent.ToJsonUtf8()), Attributes = { [EventAttributes.Type] = clusterEvent.Type } };
        if (traceParent is not null)
        {
            // A W3C traceparent is 55 characters: the events' messages stay within the size cap with it.
            message.Attributes[EventAttributes.TraceParent] = traceParent;
        }

        return message;
    }

    public static async Task<PubSubFloorResult> RunAsync(BenchmarkEnvironment environment, IReadOnlyList<PubsubMessage> messages, int publishers, double perSecond)
    {
        using var connection = environment.PubSub();
        var subscriptions = ControllerNames.All.Select(name => $"{Topic}-{name}").ToList();
        await new PubSubAdmin(connection).EnsureTopologyAsync(Topic, DeadLetterTopic, subscriptions,
            EventTopics.MaxDeliveryAttempts, EventTopics.MinRetryBackoff, EventTopics.MaxRetryBackoff);
        await using var publisher = new PubSubPublisher(connection);

        var handlerStarts = new ConcurrentDictionary<Guid, DateTime>();
        using var stop = new CancellationTokenSource();
        var subscriber = EventsBenchmark.ListenAsync(connection, $"{Topic}-{ControllerNames.Placement}", handlerStarts, stop.Token);

        // The first message waits for the stream to open; it is not part of the measurement.
        var warmUp = new ClusterEvent(Guid.CreateVersion7(), EventTypes.ClusterCreated, Guid.NewGuid(), null, 1);
        await publisher.PublishAsync(Topic, Message(warmUp, null), CancellationToken.None);
        await EventsBenchmark.UntilAsync(() => Task.FromResult(handlerStarts.ContainsKey(warmUp.Id)), "the Pub/Sub floor's warm-up message to reach the handler");

        Console.Error.WriteLine($"events: Pub/Sub alone, {messages.Count} messages from {publishers} publishers at {perSecond:0}/s…");
        var ids = messages.Select(m => ClusterEvent.TryParse(m.Data.Span, m.Attributes)!.Id).ToArray();
        var published = new DateTime[messages.Count];
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(async _ =>
        {
            // Each publisher sends the next message at its turn in the schedule, or at once when the
            // schedule is ahead of it; like a writer's create, it waits for its publish before the next.
            while (Interlocked.Increment(ref next) is var i && i < messages.Count)
            {
                if (interval * i - clock.Elapsed is var wait && wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }

                published[i] = DateTime.UtcNow;
                await publisher.PublishAsync(Topic, messages[i], CancellationToken.None);
            }
        }));
        var achieved = messages.Count / clock.Elapsed.TotalSeconds;

        await EventsBenchmark.UntilAsync(() => Task.FromResult(ids.All(handlerStarts.ContainsKey)), "every Pub/Sub floor message to reach the handler");
        await stop.CancelAsync();
        await subscriber;
        return new PubSubFloorResult(publishers, perSecond, achieved,
            LatencySummary.Of(ids.Select((id, i) => (handlerStarts[id] - published[i]).TotalMilliseconds)));
    }
}
