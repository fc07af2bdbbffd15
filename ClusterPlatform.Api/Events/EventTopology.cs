using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// Makes sure the topic, the dead-letter topic and every controller's subscription exist before the
/// first event is published. Pub/Sub only delivers to subscriptions that exist at publish time, so
/// the Api creates the controllers' subscriptions too: an event published before a controller's
/// first start would otherwise be lost to it. Done once per process, and again after a NotFound
/// (the emulator forgets everything when it restarts).
/// </summary>
internal sealed class EventTopology(PubSubAdmin admin, ILogger<EventTopology> logger)
{
    private volatile bool ensured;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (ensured)
        {
            return;
        }

        await admin.EnsureTopologyAsync(EventTopics.ClusterEvents, EventTopics.DeadLetter, ControllerNames.All,
            EventTopics.MaxDeliveryAttempts, EventTopics.MinRetryBackoff, EventTopics.MaxRetryBackoff, cancellationToken: ct);
        ensured = true;
        logger.LogInformation("Pub/Sub topic {Topic} and subscriptions {Subscriptions} are in place", EventTopics.ClusterEvents, ControllerNames.All);
    }

    public void Invalidate() => ensured = false;
}
