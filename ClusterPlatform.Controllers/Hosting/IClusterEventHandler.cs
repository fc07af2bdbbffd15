using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// What one controller does with an event. Returning acks the message; throwing nacks it, so Pub/Sub
/// redelivers it with backoff and dead-letters it after the fifth attempt.
/// </summary>
public interface IClusterEventHandler
{
    /// <summary>The controller's name: its subscription and the name it reports status under.</summary>
    string ControllerName { get; }

    Task HandleAsync(ClusterEvent clusterEvent, int deliveryAttempt, CancellationToken ct);
}
