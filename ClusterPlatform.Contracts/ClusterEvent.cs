using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ClusterPlatform.Contracts;

/// <summary>
/// The anemic event published on the cluster events topic (<c>PubSub:Topic</c>) for every committed change:
/// what changed and at which generation, never the state itself. Consumers GET the current state.
/// </summary>
public sealed record ClusterEvent(
    Guid Id,
    string Type,
    Guid ClusterId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Guid? NodePoolId,
    long Generation,
    [property: JsonConverter(typeof(Rfc3339SecondsConverter))] DateTime Time)
{
    /// <summary>Compact UTF-8 JSON: the message data.</summary>
    public byte[] ToJsonUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, ClusterEventJsonContext.Default.ClusterEvent);

    /// <summary>Parses message data; null when it is not a cluster event (a poison message to dead-letter).</summary>
    public static ClusterEvent? TryParse(ReadOnlySpan<byte> json)
    {
        try
        {
            var parsed = JsonSerializer.Deserialize(json, ClusterEventJsonContext.Default.ClusterEvent);
            return parsed is { Type.Length: > 0 } && parsed.ClusterId != Guid.Empty ? parsed : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Whole seconds: API.md caps a message at 256 bytes, and the event id (a UUIDv7) already carries
/// the time to the millisecond for anyone who needs to order events.
/// </summary>
internal sealed class Rfc3339SecondsConverter : JsonConverter<DateTime>
{
    public override DateTime Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTime.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTime value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ClusterEvent))]
internal sealed partial class ClusterEventJsonContext : JsonSerializerContext;

/// <summary>The event types of API.md, exactly.</summary>
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

/// <summary>The delivery policy of the cluster events topic's subscriptions (API.md "Events"); the topic itself is <c>PubSub:Topic</c>.</summary>
public static class EventTopics
{
    public const int MaxDeliveryAttempts = 5;
    public static readonly TimeSpan MinRetryBackoff = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan MaxRetryBackoff = TimeSpan.FromSeconds(60);

    /// <summary>API.md: the whole message, data plus attributes, is at most this many bytes.</summary>
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
