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

    /// <summary>Events one controller handles at once.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>
    /// Events one controller holds unacknowledged, handled or waiting (leased) for a handler; at least
    /// <see cref="MaxConcurrency"/>. Unset means <see cref="HeldPerHandler"/> × <see cref="MaxConcurrency"/>.
    /// </summary>
    public int? MaxOutstandingMessages { get; set; }

    /// <summary>
    /// The default of <see cref="MaxOutstandingMessages"/> per handler. The server's flow control sends a
    /// message only while fewer than max_outstanding_messages are unacknowledged; held equal to the
    /// handlers, a handler that finishes idles for one ack round trip (the Acknowledge, then the next
    /// message down the stream) before its next event. With a few events waiting per handler, the next
    /// one is already here. Four keeps that wait short at little cost: a waiting event is only a lease
    /// extension every half ack deadline, and a crashed process's waiting events come back after one
    /// ack deadline, like its running ones.
    /// </summary>
    public const int HeldPerHandler = 4;

    /// <summary><see cref="MaxOutstandingMessages"/> with its default applied.</summary>
    internal int HeldMessages => MaxOutstandingMessages ?? HeldPerHandler * MaxConcurrency;

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
