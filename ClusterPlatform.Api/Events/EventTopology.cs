using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// Makes sure the topic, the dead-letter topic and every controller's subscription exist before the
/// first event is published. Pub/Sub only delivers to subscriptions that exist at publish time, so
/// the Api creates the controllers' subscriptions too: an event published before a controller's
/// first start would otherwise be lost to it. Done once per process, and again after a NotFound
/// (the emulator forgets everything when it restarts).
/// </summary>
internal sealed class EventTopology(PubSubAdmin admin, IOptions<PubSubOptions> options, ILogger<EventTopology> logger)
{
    /// <summary>The topic cluster events are published to.</summary>
    public string Topic => options.Value.Topic;

    private volatile bool ensured;

    public async Task EnsureAsync(CancellationToken ct)
    {
        if (ensured)
        {
            return;
        }

        await admin.EnsureTopologyAsync(Topic, options.Value.DeadLetterTopic, ControllerNames.All,
            EventTopics.MaxDeliveryAttempts, EventTopics.MinRetryBackoff, EventTopics.MaxRetryBackoff, cancellationToken: ct);
        ensured = true;
        logger.LogInformation("Pub/Sub topic {Topic} and subscriptions {Subscriptions} are in place", Topic, string.Join(", ", ControllerNames.All));
    }

    private int epoch;

    /// <summary>Changes whenever the topology is found missing; a publish that spans a change may have reached a topic without subscriptions.</summary>
    public int Epoch => Volatile.Read(ref epoch);

    public void Invalidate()
    {
        ensured = false;
        Interlocked.Increment(ref epoch);
    }
}
