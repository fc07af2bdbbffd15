using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterPlatform.Contracts;

/// <summary>
/// The anemic event published on the cluster events topic (<c>PubSub:Topic</c>) for every committed change:
/// what changed and at which generation, never the state itself. Consumers GET the current state.
/// A message carries it in two parts: the <see cref="EventAttributes.Type"/> attribute, which
/// subscription filters can read, and compact JSON data with only what the attributes do not carry
/// (<c>id</c>, <c>clusterId</c>, <c>nodePoolId</c> for node pool events, <c>generation</c>), so that
/// every message fits docs/api.md's <see cref="EventTopics.MaxMessageBytes"/>.
/// </summary>
public sealed record ClusterEvent(Guid Id, string Type, Guid ClusterId, Guid? NodePoolId, long Generation)
{
    /// <summary>
    /// When the event row was written, to the millisecond: the Unix time in the first 48 bits of the
    /// UUIDv7 <see cref="Id"/> (RFC 9562), which is why the data carries no time of its own.
    /// </summary>
    public DateTimeOffset Time
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            Id.TryWriteBytes(bytes, bigEndian: true, out _);
            return DateTimeOffset.FromUnixTimeMilliseconds((long)(BinaryPrimitives.ReadUInt64BigEndian(bytes) >> 16));
        }
    }

    /// <summary>Compact UTF-8 JSON: the message data (the type goes in the attribute).</summary>
    public byte[] ToJsonUtf8() =>
        JsonSerializer.SerializeToUtf8Bytes(new EventData(Id, ClusterId, NodePoolId, Generation), ClusterEventJsonContext.Default.EventData);

    /// <summary>
    /// Reads an event from a message's data and attributes; null when the message is not a cluster
    /// event (no <see cref="EventAttributes.Type"/> attribute, or data without an id and a cluster id),
    /// a poison message to dead-letter. Data written before the type and time left it (with
    /// <c>type</c> and <c>time</c> fields) still reads: unknown fields are skipped, and the type is
    /// taken from the attribute, which those messages carried too. Data without a generation is not an
/// event either: reading it as generation 0 would pass every controller's generation check.
    /// </summary>
    public static ClusterEvent? TryParse(ReadOnlySpan<byte> data, IReadOnlyDictionary<string, string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        if (!attributes.TryGetValue(EventAttributes.Type, out var type) || string.IsNullOrEmpty(type))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(data, ClusterEventJsonContext.Default.EventData) is { } parsed
                && parsed.Id != Guid.Empty && parsed.ClusterId != Guid.Empty
                ? new ClusterEvent(parsed.Id, type, parsed.ClusterId, parsed.NodePoolId, parsed.Generation)
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The message data of a <see cref="ClusterEvent"/>: its fields in this order, a missing node pool id left out.</summary>
internal sealed record EventData(
    Guid Id,
    Guid ClusterId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? NodePoolId,
    [property: JsonRequired] long Generation);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(EventData))]
internal sealed partial class ClusterEventJsonContext : JsonSerializerContext;

/// <summary>The event types of docs/api.md, exactly.</summary>
public static class EventTypes
{
    public const string ClusterCreated = "cluster.created";
    public const string ClusterUpdated = "cluster.updated";
    public const string ClusterDeleted = "cluster.deleted";
    public const string ClusterReconcile = "cluster.reconcile";
    public const string NodePoolCreated = "nodepool.created";
    public const string NodePoolUpdated = "nodepool.updated";
    public const string NodePoolDeleted = "nodepool.deleted";

    public static readonly IReadOnlyList<string> All =
        [ClusterCreated, ClusterUpdated, ClusterDeleted, ClusterReconcile, NodePoolCreated, NodePoolUpdated, NodePoolDeleted];
}

/// <summary>Message attributes every event carries.</summary>
public static class EventAttributes
{
    public const string Type = "type";

    /// <summary>W3C trace context of the change, so one trace spans Api, Pub/Sub, controller and status report.</summary>
    public const string TraceParent = "traceparent";
}

/// <summary>The delivery policy of the cluster events topic's subscriptions (docs/api.md "Events"); the topic itself is <c>PubSub:Topic</c>.</summary>
public static class EventTopics
{
    public const int MaxDeliveryAttempts = 5;
    public static readonly TimeSpan MinRetryBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryBackoff = TimeSpan.FromSeconds(60);

    /// <summary>docs/api.md: the whole message, data plus attributes, is at most this many bytes.</summary>
    public const int MaxMessageBytes = 256;
}

/// <summary>The four controllers; each one's subscription is named after it.</summary>
public static class ControllerNames
{
    public const string EnvironmentValidation = "environment-validation-controller";
    public const string Placement = "placement-controller";
    public const string DnsManagement = "dns-management-controller";
    public const string OperatorClient = "operator-client-controller";

    public static readonly IReadOnlyList<string> All = [EnvironmentValidation, Placement, DnsManagement, OperatorClient];
}
