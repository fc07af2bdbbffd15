using System.Collections.Concurrent;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf;
using Grpc.Core;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

public sealed class PublisherTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task Published_messages_arrive_over_StreamingPull_with_their_data_and_attributes()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader");

        var ids = await setup.Publisher.PublishAsync("events",
        [
            Message("""{"type":"cluster.created"}""", ("type", "cluster.created")),
            Message("""{"type":"cluster.updated"}""", ("type", "cluster.updated"), ("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")),
        ], Cancellation);

        var received = new ConcurrentDictionary<string, ReceivedMessage>();
        var both = new TaskCompletionSource();
        await using (new RunningSubscriber(setup.Connection, "reader", (message, _) =>
        {
            received[message.Message.MessageId] = message;
            if (received.Count == 2)
            {
                both.TrySetResult();
            }

            return Task.CompletedTask;
        }))
        {
            await both.Task.WaitAsync(Patience, Cancellation);
        }

        Assert.Equal(ids.Order(), received.Keys.Order());
        var updated = received[ids[1]].Message;
        Assert.Equal("""{"type":"cluster.updated"}""", updated.Data.ToStringUtf8());
        Assert.Equal(
            new Dictionary<string, string> { ["type"] = "cluster.updated", ["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
            updated.Attributes.ToDictionary());
        Assert.NotNull(updated.PublishTime);
        Assert.Equal("cluster.created", received[ids[0]].Message.Attributes["type"]);
    }

    [Fact]
    public async Task Concurrent_single_publishes_share_requests_that_go_when_full_or_after_the_batch_delay()
    {
        await using var batching = await Batching.StartAsync(emulator);
        var (topic, publisher, delays, requests) = batching;

        var count = PubSubPublisher.BatchMessageThreshold + 50;
        var publishes = Enumerable.Range(0, count).Select(i => publisher.PublishAsync(topic, Message($"m{i}"), Cancellation)).ToList();

        // The first threshold's worth filled a request that went at once; the rest wait for the delay.
        await Task.WhenAll(publishes.Take(PubSubPublisher.BatchMessageThreshold)).WaitAsync(Patience, Cancellation);
        Assert.All(publishes.Skip(PubSubPublisher.BatchMessageThreshold), p => Assert.False(p.IsCompleted));
        var firstBatchDelay = await delays.NextAsync();
        var secondBatchDelay = await delays.NextAsync();
        Assert.Equal(PubSubPublisher.BatchDelay, secondBatchDelay.DueTime);
        firstBatchDelay.Elapse(); // its batch went already: nothing happens
        secondBatchDelay.Elapse();

        var ids = await Task.WhenAll(publishes).WaitAsync(Patience, Cancellation);
        Assert.Equal(count, ids.Distinct().Count());
        Assert.Equal([PubSubPublisher.BatchMessageThreshold, 50], requests.MessageCounts);
    }

    [Fact]
    public async Task A_single_publish_cancelled_before_its_batch_goes_is_left_out_of_the_request()
    {
        await using var batching = await Batching.StartAsync(emulator);
        var (topic, publisher, delays, requests) = batching;
        using var impatient = new CancellationTokenSource();

        var kept = publisher.PublishAsync(topic, Message("kept"), Cancellation);
        var dropped = publisher.PublishAsync(topic, Message("dropped"), impatient.Token);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        (await delays.NextAsync()).Elapse();

        Assert.NotEmpty(await kept.WaitAsync(Patience, Cancellation));
        Assert.Equal([1], requests.MessageCounts);
    }

    [Fact]
    public async Task Publishing_to_a_missing_topic_fails_at_once_with_NotFound()
    {
        using var connection = emulator.Connect();
        await using var publisher = new PubSubPublisher(connection);

        var error = await Assert.ThrowsAsync<RpcException>(() => publisher.PublishAsync("missing", [Message("lost")], Cancellation));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public void Requests_stay_within_1000_messages_10_MB_and_one_ordering_key_in_the_original_order()
    {
        const string topic = "projects/p/topics/t";
        var small = Enumerable.Range(0, 2500).Select(i => Message($"{i}")).ToList();
        var smallRequests = PubSubPublisher.Split(topic, small).ToList();
        Assert.Equal([1000, 1000, 500], smallRequests.Select(r => r.Messages.Count));
        Assert.Equal(small, smallRequests.SelectMany(r => r.Messages));

        var large = Enumerable.Range(0, 5).Select(_ => new PubsubMessage { Data = ByteString.CopyFrom(new byte[4_000_000]) }).ToList();
        var largeRequests = PubSubPublisher.Split(topic, large).ToList();
        Assert.Equal([2, 2, 1], largeRequests.Select(r => r.Messages.Count));
        Assert.All(largeRequests, r => Assert.InRange(r.CalculateSize(), 1, PubSubPublisher.MaxBytesPerRequest));

        string[] keys = ["a", "a", "b", "a"];
        var ordered = keys.Select(k => new PubsubMessage { Data = ByteString.CopyFromUtf8(k), OrderingKey = k }).ToList();
        Assert.Equal([2, 1, 1], PubSubPublisher.Split(topic, ordered).Select(r => r.Messages.Count));
    }

    /// <summary>
    /// A topic with no subscription, a publisher whose batch delays end only when the test says so,
    /// and the log of the requests it sends to that topic.
    /// </summary>
    private sealed class Batching : IAsyncDisposable
    {
        private Batching(TopicSetup setup, ManualDelays delays)
        {
            Setup = setup;
            Delays = delays;
            Requests = new PublishRequestLog(setup.TopicId);
        }

        public TopicSetup Setup { get; }

        public ManualDelays Delays { get; }

        public PublishRequestLog Requests { get; }

        public static async Task<Batching> StartAsync(PubSubEmulator emulator)
        {
            var delays = new ManualDelays();
            // The request log sees every test's publish spans, which name only the topic.
            var setup = await TopicSetup.CreateAsync(emulator, $"batched-{Guid.NewGuid():N}", publisherTime: delays);
            return new Batching(setup, delays);
        }

        public void Deconstruct(out string topic, out PubSubPublisher publisher, out ManualDelays delays, out PublishRequestLog requests) =>
            (topic, publisher, delays, requests) = (Setup.TopicId, Setup.Publisher, Delays, Requests);

        public async ValueTask DisposeAsync()
        {
            Requests.Dispose();
            await Setup.DisposeAsync();
        }
    }
}
