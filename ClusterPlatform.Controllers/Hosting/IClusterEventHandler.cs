using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// What one controller does with an event. Returning acks the message; throwing nacks it, so Pub/Sub
/// redelivers it with backoff and dead-letters it after the fifth attempt, unless the exception says
/// a dependency is unavailable: then the worker holds the message and calls again
/// (<see cref="UnavailableDependencyHold"/>). Messages that are not cluster events never get here:
/// the subscription worker dead-letters them at once.
/// </summary>
public interface IClusterEventHandler
{
    /// <summary>The controller's name: its subscription and the name it reports status under.</summary>
    string ControllerName { get; }

    Task HandleAsync(ClusterEvent clusterEvent, CancellationToken ct);
}
