using System.Text;
using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// Runs one controller: makes sure its subscription exists (named after it, with the dead-letter
/// policy and retry backoff of API.md), then feeds it the subscription's events with bounded
/// concurrency. The subscriber traces each message as a span whose parent is the event's
/// <c>traceparent</c>; this adds a log scope with the controller, event and cluster.
/// </summary>
internal sealed class SubscriptionWorker(
    IClusterEventHandler handler,
    PubSubAdmin admin,
    PubSubSubscriber subscriber,
    IOptions<ControllerOptions> options,
    IOptions<PubSubOptions> pubSub,
    ControllerMetrics metrics,
    ILogger<SubscriptionWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = new SubscriberSettings
        {
            MaxOutstandingMessages = options.Value.MaxConcurrency,
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
                await subscriber.RunAsync(handler.ControllerName, HandleAsync, settings, stoppingToken);
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
                var delay = TimeSpan.FromSeconds(Math.Min(MaxRestartDelay.TotalSeconds, Math.Pow(2, failures - 1)));
                logger.LogWarning(e, "{Controller} subscription stopped; restarting in {Delay}", handler.ControllerName, delay);
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task HandleAsync(ReceivedMessage received, CancellationToken ct)
    {
        var clusterEvent = ClusterEvent.TryParse(received.Message.Data.Span)
            ?? throw new InvalidDataException(
                $"Message {received.Message.MessageId} is not a cluster event: {Encoding.UTF8.GetString(received.Message.Data.Span[..Math.Min(received.Message.Data.Length, 200)])}");
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["Controller"] = handler.ControllerName,
            ["EventId"] = clusterEvent.Id,
            ["EventType"] = clusterEvent.Type,
            ["ClusterId"] = clusterEvent.ClusterId,
        });
        await metrics.MeasureAsync(handler.ControllerName, () => handler.HandleAsync(clusterEvent, received.DeliveryAttempt, ct));
    }
}
