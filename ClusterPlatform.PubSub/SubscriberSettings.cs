namespace ClusterPlatform.PubSub;

/// <summary>How <see cref="PubSubSubscriber.RunAsync"/> receives and settles messages.</summary>
public sealed record SubscriberSettings
{
    /// <summary>The ack deadline subscriptions get unless told otherwise.</summary>
    public static readonly TimeSpan DefaultAckDeadline = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many messages this subscriber holds at once, unacknowledged. The server is asked not to send
    /// more (max_outstanding_messages), the limit is enforced here too (the emulator and a reconnect can
    /// overshoot), and it is the number of handlers that run concurrently.
    /// </summary>
    public int MaxOutstandingMessages { get; init; } = 10;

    /// <summary>
    /// The stream's ack deadline, 10 to 600 s. While a handler runs, its message's deadline is extended
    /// every half of this, so a slow handler never sees its message delivered twice; a crashed process
    /// releases its messages after at most this long.
    /// </summary>
    public TimeSpan AckDeadline { get; init; } = DefaultAckDeadline;

    /// <summary>
    /// After the stopping token fires, how long handlers already running may take to finish. Then their
    /// cancellation token fires and their messages are nacked for redelivery elsewhere.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxOutstandingMessages, 1, nameof(MaxOutstandingMessages));
        ArgumentOutOfRangeException.ThrowIfLessThan(AckDeadline, TimeSpan.FromSeconds(10), nameof(AckDeadline));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(AckDeadline, TimeSpan.FromSeconds(600), nameof(AckDeadline));
        ArgumentOutOfRangeException.ThrowIfLessThan(ShutdownGracePeriod, TimeSpan.Zero, nameof(ShutdownGracePeriod));
    }
}
