using ClusterPlatform.PubSub.V1;
using Google.Protobuf;

namespace ClusterPlatform.Api.Events;

/// <summary>An outbox row, as the relay claims it.</summary>
internal sealed record OutboxRow(Guid Id, string Type, Guid ClusterId, Guid? NodePoolId, long Generation, DateTime OccurredAt, string? TraceParent);

/// <summary>
/// The Pub/Sub message of an event (docs/api.md, docs/events.md): the <c>type</c> and <c>traceparent</c>
/// attributes, and compact JSON data with only what they do not carry. The row's time is not sent:
/// the UUIDv7 id carries it. The trace context is the one part a message can do without: it is left
/// out when it would take the message past <see cref="EventTopics.MaxMessageBytes"/>, which only a
/// node pool event at a nine-digit generation or more reaches (docs/events.md, "Size").
/// </summary>
internal static class EventMessages
{
    public static PubsubMessage ToMessage(OutboxRow row)
    {
        var message = new PubsubMessage
        {
            Data = ByteString.CopyFrom(new ClusterEvent(row.Id, row.Type, row.ClusterId, row.NodePoolId, row.Generation).ToJsonUtf8()),
            Attributes = { [EventAttributes.Type] = row.Type },
        };
        if (row.TraceParent is not null
            && Size(message) + Utf8(EventAttributes.TraceParent) + Utf8(row.TraceParent) <= EventTopics.MaxMessageBytes)
        {
            message.Attributes[EventAttributes.TraceParent] = row.TraceParent;
        }

        return message;
    }

    /// <summary>
    /// The size docs/api.md caps at <see cref="EventTopics.MaxMessageBytes"/>: data plus every attribute key
    /// and value, the part of a message the publisher chooses. Pub/Sub's billed volume of a message
    /// is this plus 20 bytes for the publish timestamp and the server-assigned message id, with at
    /// least 1,000 bytes per request (docs/events.md).
    /// </summary>
    public static int Size(PubsubMessage message) =>
        message.Data.Length + message.Attributes.Sum(a => Utf8(a.Key) + Utf8(a.Value));

    private static int Utf8(string text) => System.Text.Encoding.UTF8.GetByteCount(text);
}
