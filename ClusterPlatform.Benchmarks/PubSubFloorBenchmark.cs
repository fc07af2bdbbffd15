using System.Collections.Concurrent;
using System.Diagnostics;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// Pub/Sub's own floor, as pgbench is PostgreSQL's: one message at a time from publish to the start
/// of a StreamingPull handler on a topic of its own, with no database, relay or Api in the path. The
/// events' commit-to-handler latency cannot be lower than this.
/// </summary>
internal static class PubSubFloorBenchmark
{
    private const string Topic = "benchmark-floor";
    private const string Subscription = "benchmark-floor-handler";

    public static async Task<LatencySummary> RunAsync(BenchmarkEnvironment environment, int messages)
    {
        using var connection = environment.PubSub();
        var admin = new PubSubAdmin(connection);
        await admin.EnsureTopicAsync(Topic);
        await admin.EnsureSubscriptionAsync(Subscription, Topic);
        var publisher = new PubSubPublisher(connection);

        var sent = new ConcurrentDictionary<string, long>();
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var subscriber = new PubSubSubscriber(connection).RunAsync(Subscription, (message, _) =>
        {
            var now = Stopwatch.GetTimestamp();
            if (sent.TryGetValue(message.Message.Data.ToStringUtf8(), out var published))
            {
                latencies.Add(Stopwatch.GetElapsedTime(published, now).TotalMilliseconds);
            }

            return Task.CompletedTask;
        }, new SubscriberSettings(), stop.Token);

        Console.Error.WriteLine($"events: Pub/Sub alone, {messages} messages one at a time…");
        // The first message waits for the stream to open; it is not part of the measurement.
        await publisher.PublishAsync(Topic, new PubsubMessage { Data = ByteString.CopyFromUtf8("warm-up") }, CancellationToken.None);
        for (var i = 0; i < messages; i++)
        {
            var id = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            sent[id] = Stopwatch.GetTimestamp();
            await publisher.PublishAsync(Topic, new PubsubMessage { Data = ByteString.CopyFromUtf8(id) }, CancellationToken.None);
            // One message in flight at a time, at an uneven pace, as single creates arrive.
            await Task.Delay(Random.Shared.Next(5, 30));
        }

        await EventsBenchmark.UntilAsync(() => Task.FromResult(latencies.Count >= messages), "every Pub/Sub floor message to reach the handler");

        await stop.CancelAsync();
        await subscriber;
        return LatencySummary.Of(latencies);
    }
}
