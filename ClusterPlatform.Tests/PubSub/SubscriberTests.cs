using System.Collections.Concurrent;
using ClusterPlatform.PubSub;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>A nack brings the message back.</summary>
public sealed class SubscriberTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task A_failed_handler_nacks_its_message_and_it_is_delivered_again()
    {
        await using var setup = await TopicSetup.CreateAsync(emulator, subscriptionId: "controller", ackDeadline: ShortestAckDeadline);
        var id = (await setup.Publisher.PublishAsync("events", [Message("retry me")], Cancellation)).Single();

        var deliveries = new ConcurrentQueue<string>();
        var secondDelivery = new TaskCompletionSource();
        await using (new RunningSubscriber(setup.Connection, "controller", (message, _) =>
        {
            deliveries.Enqueue(message.Message.MessageId);
            if (deliveries.Count == 1)
            {
                throw new InvalidOperationException("The first attempt fails.");
            }

            secondDelivery.TrySetResult();
            return Task.CompletedTask;
        }))
        {
            // Well inside the ack deadline: the redelivery came from the nack, not from an expired deadline.
            await secondDelivery.Task.WaitAsync(ShortestAckDeadline / 2, Cancellation);
        }

        Assert.Equal([id, id], deliveries);
    }
}
