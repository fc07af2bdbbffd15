using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf;

namespace ClusterPlatform.Api.Events;

/// <summary>An outbox row, as the relay claims it.</summary>
internal sealed record OutboxRow(Guid Id, string Type, Guid ClusterId, Guid? NodePoolId, long Generation, DateTime OccurredAt, string? TraceParent);

/// <summary>The Pub/Sub message of an event: compact JSON data and the <c>type</c> and <c>traceparent</c> attributes (API.md).</summary>
internal static class EventMessages
{
    public static PubsubMessage ToMessage(OutboxRow row)
    {
        var message = new PubsubMessage
        {
            Data = ByteString.CopyFrom(new ClusterEvent(row.Id, row.Type, row.ClusterId, row.NodePoolId, row.Generation, row.OccurredAt).ToJsonUtf8()),
            Attributes = { [EventAttributes.Type] = row.Type },
        };
        if (row.TraceParent is not null)
        {
            message.Attributes[EventAttributes.TraceParent] = row.TraceParent;
        }

        return message;
    }

    /// <summary>
    /// The size Pub/Sub bills and limits: data plus every attribute key and value. API.md caps it at
    /// <see cref="EventTopics.MaxMessageBytes"/>.
    /// </summary>
    public static int Size(PubsubMessage message) =>
        message.Data.Length + message.Attributes.Sum(a => System.Text.Encoding.UTF8.GetByteCount(a.Key) + System.Text.Encoding.UTF8.GetByteCount(a.Value));
}
