extern alias controllers;

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using controllers::ClusterPlatform.Controllers.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ClusterPlatform.Tests.Events.ControllerTopology;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// A controller's subscription worker against the real emulator: events are handled with the type
/// from the attribute, and a message that is not a cluster event is moved to the dead-letter topic at
/// once, logged once and acked, instead of being redelivered until the dead-letter policy takes it.
/// </summary>
public sealed class PoisonMessageTests(PubSubEmulator emulator) : IAsyncDisposable
{
    private readonly ServiceProvider services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task A_message_without_a_type_attribute_or_with_foreign_data_is_dead_lettered_once_and_acked_while_events_are_handled()
    {
        using var connection = emulator.Connect();
        var topology = await EnsureAsync(connection, new ControllerOptions { AckDeadline = ShortestAckDeadline, ShutdownGracePeriod = TimeSpan.FromSeconds(5) });

        var (clusterId, nodePoolId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var current = new ClusterEvent(Guid.CreateVersion7(), EventTypes.NodePoolUpdated, clusterId, nodePoolId, 4);
        var earlierId = Guid.CreateVersion7();
        var earlierFormat = Message($$"""{"id":"{{earlierId}}","type":"cluster.updated","clusterId":"{{clusterId}}","generation":3,"time":"2026-11-26T04:25:42Z"}""",
            (EventAttributes.Type, EventTypes.ClusterUpdated));
        var untyped = Message(Encoding.UTF8.GetString(new ClusterEvent(Guid.CreateVersion7(), EventTypes.ClusterCreated, clusterId, null, 1).ToJsonUtf8()));
        var foreign = Message("""{"hello":"world"}""", (EventAttributes.Type, EventTypes.ClusterCreated));
        await using var publisher = new PubSubPublisher(connection);
        var ids = await publisher.PublishAsync(EventsTopic,
            [Message(Encoding.UTF8.GetString(current.ToJsonUtf8()), (EventAttributes.Type, current.Type)), earlierFormat, untyped, foreign],
            Cancellation);

        var handled = new ConcurrentQueue<ClusterEvent>();
        var logLines = new ConcurrentQueue<string>();
        using var loggers = LoggerFactory.Create(logging => logging.AddProvider(new CapturingLoggerProvider(logLines, typeof(DeadLetters).FullName)));
        var worker = topology.Worker(new RecordingHandler(handled), publisher, services.GetRequiredService<IMeterFactory>(), loggers);

        var deadLetters = new ConcurrentDictionary<string, PubsubMessage>();
        await worker.StartAsync(Cancellation);
        try
        {
            await Wait.UntilAsync(async () =>
            {
                foreach (var received in await connection.PullNowAsync(PubSubAdmin.InspectionSubscriptionId(topology.PubSub.DeadLetterTopic)))
                {
                    // Keyed by the original's id; a dead letter of the subscription's policy would lack it.
                    var original = received.Message.Attributes.TryGetValue(DeadLetters.SourceMessageIdAttribute, out var id)
                        ? id
                        : $"by policy: {received.Message.MessageId}";
                    deadLetters.TryAdd(original, received.Message);
                }

                return handled.Count >= 2 && deadLetters.Count >= 2;
            }, Patience, () => $"two events handled (got {handled.Count}) and two dead letters (got {deadLetters.Count})");
        }
        finally
        {
            await worker.StopAsync(Cancellation);
        }

        Assert.Equal(
            new HashSet<ClusterEvent> { current, new(earlierId, EventTypes.ClusterUpdated, clusterId, null, 3) },
            handled.ToHashSet());
        Assert.Equal(new HashSet<string> { ids[2], ids[3] }, deadLetters.Keys.ToHashSet());
        var (deadUntyped, deadForeign) = (deadLetters[ids[2]], deadLetters[ids[3]]);
        Assert.Equal(untyped.Data, deadUntyped.Data);
        Assert.Equal(foreign.Data, deadForeign.Data);
        Assert.Equal(EventTypes.ClusterCreated, deadForeign.Attributes[EventAttributes.Type]);
        Assert.All([deadUntyped, deadForeign], dead =>
        {
            Assert.Equal(Controller, dead.Attributes[DeadLetters.SourceSubscriptionAttribute]);
            // Moved by the worker on the first delivery, not by the subscription's policy after five.
            Assert.DoesNotContain(dead.Attributes.Keys, key => key.StartsWith("CloudPubSubDeadLetter", StringComparison.Ordinal));
        });
        Assert.Contains("type", deadUntyped.Attributes[DeadLetters.ReasonAttribute]);
        Assert.Contains("data", deadForeign.Attributes[DeadLetters.ReasonAttribute]);
        Assert.Equal(2, logLines.Count);
        Assert.Single(logLines, line => line.Contains($"Dead-lettered message {ids[2]} ", StringComparison.Ordinal));
        Assert.Single(logLines, line => line.Contains($"Dead-lettered message {ids[3]} ", StringComparison.Ordinal));
        // Acked: nothing is left to redeliver on the controller's subscription.
        Assert.Empty(await connection.PullNowAsync(Controller));
    }

    public async ValueTask DisposeAsync() => await services.DisposeAsync();

    private sealed class RecordingHandler(ConcurrentQueue<ClusterEvent> handled) : IClusterEventHandler
    {
        public string ControllerName => Controller;

        public Task HandleAsync(ClusterEvent clusterEvent, CancellationToken ct)
        {
            handled.Enqueue(clusterEvent);
            return Task.CompletedTask;
        }
    }
}
