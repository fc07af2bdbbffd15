using System.Text;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// Moves a message that is not a cluster event (a poison message) to the dead-letter topic at once.
/// Nacking it instead would have Pub/Sub deliver it four more times to a controller that can never
/// handle it, with a warning each time, before its dead-letter policy moved it. The copy keeps the
/// data and attributes and adds where it came from and why, and it lands in the same place as the
/// policy's dead letters (the dead-letter topic's inspect subscription, docs/events.md).
/// </summary>
internal sealed class DeadLetters(PubSubPublisher publisher, IOptions<PubSubOptions> pubSub, ILogger<DeadLetters> logger)
{
    /// <summary>The subscription the message was taken from.</summary>
    public const string SourceSubscriptionAttribute = "deadLetterSourceSubscription";

    /// <summary>The message id it had there.</summary>
    public const string SourceMessageIdAttribute = "deadLetterSourceMessageId";

    /// <summary>Why it is not a cluster event.</summary>
    public const string ReasonAttribute = "deadLetterReason";

    // Long enough for a publish that Pub/Sub answers at all; a longer outage nacks the message, and
    // the subscription's own dead-letter policy takes it after its fifth attempt.
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    private const int PreviewBytes = 200;

    /// <summary>
    /// Publishes a copy to the dead-letter topic and logs it; returning lets the caller ack the
    /// original. Throws if the copy could not be published, so the original is nacked, not lost.
    /// </summary>
    public async Task MoveAsync(string subscriptionId, ReceivedMessage received, string reason, CancellationToken ct)
    {
        var copy = received.Message.Clone();
        copy.MessageId = "";
        copy.PublishTime = null;
        copy.Attributes[SourceSubscriptionAttribute] = subscriptionId;
        copy.Attributes[SourceMessageIdAttribute] = received.Message.MessageId;
        copy.Attributes[ReasonAttribute] = reason;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(PublishTimeout);
        await publisher.PublishAsync(pubSub.Value.DeadLetterTopic, copy, timeout.Token);

        var data = received.Message.Data.Span;
        logger.LogWarning("Dead-lettered message {MessageId} of subscription {Subscription} to {DeadLetterTopic}: {Reason}. Data: {Data}",
            received.Message.MessageId, subscriptionId, pubSub.Value.DeadLetterTopic, reason,
            Encoding.UTF8.GetString(data[..Math.Min(data.Length, PreviewBytes)]));
    }
}
