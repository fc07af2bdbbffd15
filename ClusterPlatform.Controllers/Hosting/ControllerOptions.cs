namespace ClusterPlatform.Controllers.Hosting;

/// <summary>Settings shared by every controller's subscription (section <c>Controllers</c>).</summary>
public sealed class ControllerOptions
{
    public const string Section = "Controllers";

    /// <summary>
    /// The controllers this process runs; empty means all four. In production each runs in its own
    /// Deployment with its own service account, since the Api maps one account to one controller.
    /// </summary>
    public IReadOnlyList<string> Enabled { get; set; } = [];

    /// <summary>Events one controller handles at once (and holds unacknowledged).</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Ack deadline of the subscriptions; a running handler's lease is extended before it ends.</summary>
    public TimeSpan AckDeadline { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How soon a controller looks again at a cluster when it waits on something outside the platform
    /// (HyperShift bringing a control plane up, or its finalizers), without an event.
    /// </summary>
    public TimeSpan RequeueAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an event whose handling fails because the Api or a provider is unavailable is held and
    /// retried in-process (its lease extended, no delivery attempt spent) before it is nacked; see
    /// <see cref="UnavailableDependencyHold"/>. Long enough to ride out a database failover or an Api
    /// rollout; an outage beyond it spends delivery attempts and ends in the dead-letter topic.
    /// </summary>
    public TimeSpan HoldUnavailableFor { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>On shutdown, how long running handlers may take before their events are nacked.</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(10);
}
