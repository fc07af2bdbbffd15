using ClusterPlatform.PubSub;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>Flow control and stopping.</summary>
public sealed class SubscriberFlowTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task No_more_than_MaxConcurrentHandlers_handlers_run_at_once()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader", ackDeadline: ShortestAckDeadline);
        var (connection, publisher) = (setup.Connection, setup.Publisher);
        const int count = 12;
        await publisher.PublishAsync("events", [.. Enumerable.Range(0, count).Select(i => Message($"m{i}"))], Cancellation);

        int running = 0, mostRunning = 0, handled = 0;
        var allHandled = new TaskCompletionSource();
        var settings = new SubscriberSettings { MaxConcurrentHandlers = 3, AckDeadline = ShortestAckDeadline };
        await using (new RunningSubscriber(connection, "reader", async (_, token) =>
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostRunning, now);
            // Simulated work, so that handlers overlap if the limit lets them.
            await Task.Delay(TimeSpan.FromMilliseconds(200), token);
            Interlocked.Decrement(ref running);
            if (Interlocked.Increment(ref handled) == count)
            {
                allHandled.TrySetResult();
            }
        }, settings))
        {
            await allHandled.Task.WaitAsync(Patience, Cancellation);
        }

        Assert.Equal(3, mostRunning);
    }

    [Fact]
    public async Task Stopping_lets_a_running_handler_finish_acks_its_message_and_returns()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader", ackDeadline: ShortestAckDeadline);
        var (connection, publisher) = (setup.Connection, setup.Publisher);
        var started = new TaskCompletionSource<CancellationToken>();
        var release = new TaskCompletionSource();
        var settings = new SubscriberSettings { AckDeadline = ShortestAckDeadline, ShutdownGracePeriod = Patience };
        await using var subscriber = new RunningSubscriber(connection, "reader", async (_, token) =>
        {
            started.TrySetResult(token);
            await release.Task;
        }, settings);
        await publisher.PublishAsync("events", [Message("in flight")], Cancellation);
        var handlerToken = await started.Task.WaitAsync(Patience, Cancellation);

        await subscriber.RequestStopAsync();
        Assert.False(subscriber.Completion.IsCompleted);
        Assert.False(handlerToken.IsCancellationRequested);
        release.SetResult();
        await subscriber.Completion.WaitAsync(Patience, Cancellation);

        // Acked: a nacked message would be available again at once.
        Assert.Empty(await connection.PullNowAsync("reader"));
    }

    // The emulator keeps a cancelled stream on its list and goes on sending it messages, which come
    // back only after their ack deadline; this was also why the test below was flaky.
    [Fact]
    public async Task A_stopped_subscriber_leaves_no_stream_behind_that_would_swallow_later_messages()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader", ackDeadline: TimeSpan.FromSeconds(60));
        var (connection, publisher) = (setup.Connection, setup.Publisher);
        var settings = new SubscriberSettings { AckDeadline = ShortestAckDeadline };
        var first = new TaskCompletionSource();
        await using (var stopped = new RunningSubscriber(connection, "reader", (_, _) => { first.TrySetResult(); return Task.CompletedTask; }, settings))
        {
            await publisher.PublishAsync("events", [Message("to the first subscriber")], Cancellation);
            await first.Task.WaitAsync(Patience, Cancellation); // its stream is open
            await stopped.RequestStopAsync();
            await stopped.Completion.WaitAsync(Patience, Cancellation);
        }

        const int count = 8;
        var received = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        var all = new TaskCompletionSource();
        await using var next = new RunningSubscriber(connection, "reader", (message, _) =>
        {
            if (received.TryAdd(message.Message.Data.ToStringUtf8(), true) && received.Count == count)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        }, settings);
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync("events", [Message($"m{i}")], Cancellation);
        }

        // A message sent to a leftover stream would come back only after the subscription's 60 s deadline.
        await all.Task.WaitAsync(Patience, Cancellation);
    }

    [Fact]
    public async Task Stopping_cancels_and_nacks_a_handler_that_outlives_the_grace_period()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader", ackDeadline: ShortestAckDeadline);
        var (connection, publisher) = (setup.Connection, setup.Publisher);
        var started = new TaskCompletionSource();
        var settings = new SubscriberSettings { AckDeadline = ShortestAckDeadline, ShutdownGracePeriod = TimeSpan.FromMilliseconds(200) };
        await using var subscriber = new RunningSubscriber(connection, "reader", async (_, token) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }, settings);
        await publisher.PublishAsync("events", [Message("stuck")], Cancellation);
        await started.Task.WaitAsync(Patience, Cancellation);

        await subscriber.RequestStopAsync();
        await subscriber.Completion.WaitAsync(Patience, Cancellation);

        // Nacked before its ack deadline (10 s), so it is available again before the deadline could
        // have released it. The margin is wide because the 2-core machine runs the whole suite at once.
        var redelivered = await PullUntilAnyAsync(connection, "reader").WaitAsync(ShortestAckDeadline * 0.8, Cancellation);
        Assert.Equal("stuck", Assert.Single(redelivered).Message.Data.ToStringUtf8());
    }

    private static async Task<IReadOnlyList<ClusterPlatform.PubSub.V1.ReceivedMessage>> PullUntilAnyAsync(PubSubConnection connection, string subscriptionId)
    {
        while (true)
        {
            var messages = await connection.PullNowAsync(subscriptionId);
            if (messages.Count > 0)
            {
                return messages;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), Cancellation);
        }
    }

    internal static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
