using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// Runs one controller: makes sure its subscription exists (named after it, with the dead-letter
/// policy and retry backoff of docs/api.md), then feeds it the subscription's events with bounded
/// concurrency. The subscriber traces each message as a span whose parent is the event's
/// <c>traceparent</c>; this adds a log scope with the controller, event and cluster. A message that
/// is not a cluster event goes to the dead-letter topic at once and is acked (<see cref="DeadLetters"/>).
/// A handler that fails because the Api or a provider is unavailable is held and retried rather than
/// nacked (<see cref="UnavailableDependencyHold"/>); any other failure nacks.
/// </summary>
internal sealed class SubscriptionWorker(
    IClusterEventHandler handler,
    PubSubAdmin admin,
    PubSubSubscriber subscriber,
    DeadLetters deadLetters,
    IOptions<ControllerOptions> options,
    IOptions<PubSubOptions> pubSub,
    ControllerMetrics metrics,
    ILogger<SubscriptionWorker> logger) : BackgroundService
{
    // 1 s doubling to 30 s, not jittered.
    private static readonly Backoff RestartDelays = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), minFactor: 1, maxFactor: 1);

    private readonly UnavailableDependencyHold hold = new(options.Value.HoldUnavailableFor, logger, TimeProvider.System);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = new SubscriberSettings
        {
            MaxConcurrentHandlers = options.Value.MaxConcurrency,
            MaxOutstandingMessages = options.Value.HeldMessages,
            AckDeadline = options.Value.AckDeadline,
            ShutdownGracePeriod = options.Value.ShutdownGracePeriod,
        };
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await admin.EnsureTopologyAsync(pubSub.Value.Topic, pubSub.Value.DeadLetterTopic, [handler.ControllerName],
                    EventTopics.MaxDeliveryAttempts, EventTopics.MinRetryBackoff, EventTopics.MaxRetryBackoff, options.Value.AckDeadline, stoppingToken);
                logger.LogInformation("{Controller} is listening on subscription {Subscription}", handler.ControllerName, handler.ControllerName);
                failures = 0;
                await subscriber.RunAsync(handler.ControllerName, (received, ct) => HandleAsync(received, ct, stoppingToken), settings, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Permanent subscriber errors (the emulator restarted and forgot the subscription) end
                // up here: recreate the subscription and listen again.
                failures++;
                var delay = RestartDelays.DelayAfter(failures);
                logger.LogWarning(e, "{Controller} subscription stopped; restarting in {Delay}", handler.ControllerName, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <param name="ct">Fires when the shutdown grace period is over.</param>
    /// <param name="stopping">Fires when the shutdown begins: a held message is released at once.</param>
    private async Task HandleAsync(ReceivedMessage received, CancellationToken ct, CancellationToken stopping)
    {
        var message = received.Message;
        if (ClusterEvent.TryParse(message.Data.Span, message.Attributes) is not { } clusterEvent)
        {
            // Returning acks it: redelivery cannot turn it into an event.
            await deadLetters.MoveAsync(handler.ControllerName, received, PoisonReason(message), ct);
            return;
        }

        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["Controller"] = handler.ControllerName,
            ["EventId"] = clusterEvent.Id,
            ["EventType"] = clusterEvent.Type,
            ["ClusterId"] = clusterEvent.ClusterId,
        });
        // One outcome per delivery: the tries of a held message are not counted apart.
        await metrics.MeasureAsync(handler.ControllerName, () => hold.RunAsync(
            () => handler.HandleAsync(clusterEvent, ct),
            $"{handler.ControllerName} handling {clusterEvent.Type} event {clusterEvent.Id} of cluster {clusterEvent.ClusterId}", stopping));
    }

    private static string PoisonReason(PubsubMessage message) =>
        message.Attributes.TryGetValue(EventAttributes.Type, out var type) && type.Length > 0
            ? "its data is not a cluster event's (an id, a cluster id and a generation)"
            : $"it has no '{EventAttributes.Type}' attribute";
}
