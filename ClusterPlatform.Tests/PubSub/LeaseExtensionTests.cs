using ClusterPlatform.PubSub;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>Takes longer than one ack deadline by design, so it has a class of its own and runs in parallel.</summary>
public sealed class LeaseExtensionTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task A_handler_slower_than_the_ack_deadline_keeps_its_message_because_the_lease_is_extended()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "slow", ackDeadline: ShortestAckDeadline);
        var connection = setup.Connection;
        await setup.Publisher.PublishAsync("events", [Message("take your time")], Cancellation);

        var deliveries = 0;
        var finished = new TaskCompletionSource();
        await using (new RunningSubscriber(connection, "slow", async (_, token) =>
        {
            if (Interlocked.Increment(ref deliveries) == 1)
            {
                // The slow work under test: longer than the deadline by more than the emulator needs to
                // notice an expired one, so an unextended lease would have been redelivered meanwhile.
                await Task.Delay(ShortestAckDeadline * 1.6, token);
                finished.TrySetResult();
            }
        }))
        {
            await finished.Task.WaitAsync(Patience, Cancellation);
        }

        Assert.Equal(1, deliveries);
        Assert.Empty(await connection.PullNowAsync("slow"));
    }
}
