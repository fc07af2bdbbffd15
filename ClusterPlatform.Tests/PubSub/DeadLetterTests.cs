using System.Collections.Concurrent;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>Takes about 10 s: the emulator redelivers a nacked message about every 2 s.</summary>
public sealed class DeadLetterTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task After_five_failed_attempts_a_message_moves_to_the_dead_letter_topic()
    {
        using var connection = emulator.Connect();
        var admin = new PubSubAdmin(connection);
        await admin.EnsureTopologyAsync("events", "events-dead-letter", ["controller"], maxDeliveryAttempts: 5,
            ackDeadline: ShortestAckDeadline, cancellationToken: Cancellation);
        await using var publisher = new PubSubPublisher(connection);
        await publisher.PublishAsync("events", [Message("poison", ("type", "cluster.created"))], Cancellation);

        var attempts = new ConcurrentQueue<int>();
        var deadLetter = new TaskCompletionSource<ReceivedMessage>();
        await using (new RunningSubscriber(connection, "controller", (message, _) =>
        {
            attempts.Enqueue(message.DeliveryAttempt);
            throw new InvalidOperationException("This message always fails.");
        }))
        await using (new RunningSubscriber(connection, PubSubAdmin.InspectionSubscriptionId("events-dead-letter"), (message, _) =>
        {
            deadLetter.TrySetResult(message);
            return Task.CompletedTask;
        }))
        {
            var dead = (await deadLetter.Task.WaitAsync(Patience, Cancellation)).Message;
            Assert.Equal("poison", dead.Data.ToStringUtf8());
            Assert.Equal("cluster.created", dead.Attributes["type"]);
        }

        Assert.Equal([1, 2, 3, 4, 5], attempts.Take(5));
    }
}
