using System.Collections.Concurrent;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>Holding more messages than run: MaxOutstandingMessages above MaxConcurrentHandlers.</summary>
public sealed class SubscriberHoldTests(PubSubEmulator emulator)
{
    private const int Run = 2, Hold = 8;

    [Fact]
    public async Task Messages_beyond_the_handlers_are_held_leased_past_their_ack_deadline_and_each_handled_once()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader", ackDeadline: ShortestAckDeadline);
        var (connection, publisher) = (setup.Connection, setup.Publisher);
        await publisher.PublishAsync("events", [.. Enumerable.Range(0, Run).Select(i => Message($"m{i}"))], Cancellation);

        int running = 0, mostRunning = 0, entries = 0;
        var handled = new ConcurrentDictionary<string, int>();
        var twoEntered = new TaskCompletionSource();
        var allHandled = new TaskCompletionSource();
        var gate = new TaskCompletionSource();
        var settings = new SubscriberSettings { MaxConcurrentHandlers = Run, MaxOutstandingMessages = Hold, AckDeadline = ShortestAckDeadline };
        await using (new RunningSubscriber(connection, "reader", async (message, _) =>
        {
            SubscriberFlowTests.InterlockedMax(ref mostRunning, Interlocked.Increment(ref running));
            if (Interlocked.Increment(ref entries) == Run)
            {
                twoEntered.TrySetResult();
            }

            await gate.Task;
            Interlocked.Decrement(ref running);
            handled.AddOrUpdate(message.Message.Data.ToStringUtf8(), 1, (_, n) => n + 1);
            if (handled.Count == Hold)
            {
                allHandled.TrySetResult();
            }
        }, settings))
        {
            await twoEntered.Task.WaitAsync(Patience, Cancellation);
            // Published while every handler is busy, one by one, so that only the flow control decides
            // whether the server sends them (one batch published before the stream opened can come
            // as one response, which the subscriber leases whole whatever it was allowed).
            for (var i = Run; i < Hold; i++)
            {
                await publisher.PublishAsync("events", [Message($"m{i}")], Cancellation);
            }

            // The messages not running are held all the same: none is left for another client to pull.
            // What this pull takes from the subscriber it hands back at once (a nack). This alone does
            // not tell held-as-many-as-run apart: the emulator sent all eight even with
            // max_outstanding_messages = 2 (tried on 2026-12-02), so a message the server should have
            // kept back is leased to the stream here as well.
            await UntilNoneAvailableAsync(connection, "reader").WaitAsync(Patience, Cancellation);
            Assert.Equal(Run, Volatile.Read(ref entries));

            // Held past the ack deadline, waiting for a handler: its lease is extended, so it is not
            // released for redelivery (a released message would be available to the pull).
            await Task.Delay(ShortestAckDeadline * 1.5, Cancellation);
            Assert.Empty(await connection.PullNowAsync("reader"));
            Assert.Equal(Run, Volatile.Read(ref entries));

            gate.SetResult();
            await allHandled.Task.WaitAsync(Patience, Cancellation);
        }

        Assert.Equal(Run, mostRunning);
        Assert.All(Enumerable.Range(0, Hold), i => Assert.Equal(1, handled.GetValueOrDefault($"m{i}")));
        Assert.Equal(Hold, entries);
        Assert.Empty(await connection.PullNowAsync("reader")); // all acked
    }

    [Fact]
    public void Holding_fewer_messages_than_handlers_is_refused()
    {
        using var connection = new PubSubConnection(new PubSubOptions { ProjectId = "p", EmulatorHost = "127.0.0.1:1" });
        var subscriber = new PubSubSubscriber(connection);
        // Refused before anything runs: RunAsync throws, it does not return a failed task.
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => { _ = subscriber.RunAsync("reader", (_, _) => Task.CompletedTask,
            new SubscriberSettings { MaxConcurrentHandlers = 4, MaxOutstandingMessages = 3 }, Cancellation); });
        Assert.Equal(nameof(SubscriberSettings.MaxOutstandingMessages), refused.ParamName);
    }

    /// <summary>Pulls until nothing is available, nacking what it took so that it goes back to the subscriber.</summary>
    private static async Task UntilNoneAvailableAsync(PubSubConnection connection, string subscriptionId)
    {
        while (await connection.PullNowAsync(subscriptionId) is { Count: > 0 } taken)
        {
            await connection.SubscriberClient.ModifyAckDeadlineAsync(new ModifyAckDeadlineRequest
            {
                Subscription = connection.SubscriptionName(subscriptionId),
                AckIds = { taken.Select(m => m.AckId) },
                AckDeadlineSeconds = 0,
            }, cancellationToken: Cancellation);
            await Task.Delay(TimeSpan.FromMilliseconds(50), Cancellation);
        }
    }
}
