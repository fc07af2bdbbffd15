using System.Collections.Concurrent;
using ClusterPlatform.PubSub;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>
/// Stops and restarts the shared emulator, so these run alone (see <see cref="OutageCollection"/>).
/// Backoff delays end only when a test says so, so the outage and the restart never race the retries.
/// </summary>
[Collection(typeof(OutageCollection))]
public sealed class OutageTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task The_publisher_retries_with_growing_backoff_while_the_emulator_is_down_and_succeeds_after_it_restarts()
    {
        var delays = new ManualDelays();
        await using var setup = await TopicSetup.CreateAsync(emulator, publisherTime: delays);
        var (connection, admin, publisher) = (setup.Connection, setup.Admin, setup.Publisher);

        await emulator.StopAsync();
        Task<IReadOnlyList<string>> publish;
        try
        {
            // A caller that gives up stops the retries.
            using (var impatient = new CancellationTokenSource())
            {
                var abandoned = publisher.PublishAsync("events", [Message("abandoned")], impatient.Token);
                await delays.NextAsync();
                await impatient.CancelAsync();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
            }

            publish = publisher.PublishAsync("events", [Message("survives the outage")], Cancellation);
            var first = await delays.NextAsync();
            first.Elapse();
            var second = await delays.NextAsync();
            Assert.True(second.DueTime >= first.DueTime, $"backoff {second.DueTime} after {first.DueTime}");
            Assert.False(publish.IsCompleted);
            second.Elapse();
            var third = await delays.NextAsync();
            Assert.False(publish.IsCompleted);

            await RestartEmptyAsync(admin);
            third.Elapse();
        }
        finally
        {
            await emulator.StartAsync();
        }

        var id = Assert.Single(await publish.WaitAsync(Patience, Cancellation));
        var delivered = Assert.Single(await connection.PullNowAsync("reader"));
        Assert.Equal(id, delivered.Message.MessageId);
    }

    [Fact]
    public async Task The_subscriber_reconnects_with_backoff_after_the_emulator_restarts_and_receives_again()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "reader");
        var (connection, admin, publisher) = (setup.Connection, setup.Admin, setup.Publisher);
        var delays = new ManualDelays();
        var arrivals = new ConcurrentDictionary<string, TaskCompletionSource>();
        TaskCompletionSource Arrival(string data) => arrivals.GetOrAdd(data, _ => new TaskCompletionSource());
        await using var subscriber = new RunningSubscriber(connection, "reader", (message, _) =>
        {
            Arrival(message.Message.Data.ToStringUtf8()).TrySetResult();
            return Task.CompletedTask;
        }, timeProvider: delays);
        await publisher.PublishAsync("events", [Message("before")], Cancellation);
        await Arrival("before").Task.WaitAsync(Patience, Cancellation); // the stream is up

        try
        {
            await emulator.StopAsync();
            // The stream broke; a reconnection fails while the emulator is down, and the next waits longer.
            var first = await delays.NextAsync();
            first.Elapse();
            var second = await delays.NextAsync();
            Assert.True(second.DueTime >= first.DueTime, $"backoff {second.DueTime} after {first.DueTime}");

            await RestartEmptyAsync(admin);
            second.Elapse();
        }
        finally
        {
            await emulator.StartAsync();
        }

        await publisher.PublishAsync("events", [Message("after")], Cancellation);
        await Arrival("after").Task.WaitAsync(Patience, Cancellation);
        Assert.False(subscriber.Completion.IsCompleted);
    }

    // The restarted emulator has forgotten everything.
    private async Task RestartEmptyAsync(PubSubAdmin admin)
    {
        await emulator.StartAsync();
        await admin.EnsureTopicAsync("events", Cancellation);
        await admin.EnsureSubscriptionAsync("reader", "events", cancellationToken: Cancellation);
    }
}
