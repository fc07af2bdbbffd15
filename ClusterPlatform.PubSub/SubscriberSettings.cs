namespace ClusterPlatform.PubSub;

/// <summary>How <see cref="PubSubSubscriber.RunAsync"/> receives and settles messages.</summary>
public sealed record SubscriberSettings
{
    /// <summary>The ack deadline subscriptions get unless told otherwise.</summary>
    public static readonly TimeSpan DefaultAckDeadline = TimeSpan.FromSeconds(30);

    /// <summary>How many handlers run at once; a message received beyond them waits, leased, for one to finish.</summary>
    public int MaxConcurrentHandlers { get; init; } = 10;

    /// <summary>
    /// How many messages this subscriber holds at once, unacknowledged, running or waiting for a handler:
    /// the server is asked not to send more (StreamingPull's max_outstanding_messages), and the limit is
    /// enforced here too (the emulator and a reconnect can overshoot). Null means
    /// <see cref="MaxConcurrentHandlers"/>; then the server sends a handler its next message only once
    /// its ack has arrived, so each handler idles for an ack round trip between messages. At least
    /// <see cref="MaxConcurrentHandlers"/>.
    /// </summary>
    public int? MaxOutstandingMessages { get; init; }

    /// <summary>
    /// The stream's ack deadline, 10 to 600 s. While a message is held (waiting for a handler or
    /// running), its deadline is extended every half of this, so neither a wait nor a slow handler sees
    /// it delivered twice; a crashed process releases its messages after at most this long.
    /// </summary>
    public TimeSpan AckDeadline { get; init; } = DefaultAckDeadline;

    /// <summary>
    /// After the stopping token fires, how long handlers already running may take to finish. Then their
    /// cancellation token fires and their messages are nacked for redelivery elsewhere.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><see cref="MaxOutstandingMessages"/> with its default applied.</summary>
    internal int HeldMessages => MaxOutstandingMessages ?? MaxConcurrentHandlers;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrentHandlers, 1, nameof(MaxConcurrentHandlers));
        ArgumentOutOfRangeException.ThrowIfLessThan(HeldMessages, MaxConcurrentHandlers, nameof(MaxOutstandingMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(AckDeadline, TimeSpan.FromSeconds(10), nameof(AckDeadline));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AckDeadline, TimeSpan.FromSeconds(600), nameof(AckDeadline));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownGracePeriod, TimeSpan.Zero, nameof(ShutdownGracePeriod));
    }
}
