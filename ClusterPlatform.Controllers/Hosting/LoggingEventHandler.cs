using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// Stands in for a controller's logic until the controllers issue: it logs each event it receives,
/// so the whole path from the Api to every controller can be watched in the dashboard.
/// </summary>
internal sealed class LoggingEventHandler(string controllerName, ILogger<LoggingEventHandler> logger) : IClusterEventHandler
{
    public string ControllerName => controllerName;

    public Task HandleAsync(ClusterEvent clusterEvent, int deliveryAttempt, CancellationToken ct)
    {
        logger.LogInformation("{Controller} received {EventType} for cluster {ClusterId} at generation {Generation} (attempt {Attempt})",
            controllerName, clusterEvent.Type, clusterEvent.ClusterId, clusterEvent.Generation, deliveryAttempt);
        return Task.CompletedTask;
    }
}
