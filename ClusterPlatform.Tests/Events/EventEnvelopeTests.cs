using System.Text.Json;
using ClusterPlatform.Api.Events;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.Tests.Events;

/// <summary>The event message of API.md: compact JSON data, the type and traceparent attributes, and its size.</summary>
public sealed class EventEnvelopeTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    // Adding a node pool id costs exactly the bytes of `,"nodePoolId":"<uuid>"`.
    private const int NodePoolIdBytes = 52;

    public static TheoryData<string> Types => new(EventTypes.All);

    [Theory]
    [MemberData(nameof(Types))]
    public void Message_carries_compact_json_and_the_type_and_traceparent_attributes(string type)
    {
        var row = Row(type, generation: 3);

        var message = EventMessages.ToMessage(row);

        var json = message.Data.ToStringUtf8();
        Assert.DoesNotContain(" ", json);
        using var document = JsonDocument.Parse(json);
        var expectedFields = type.StartsWith("nodepool.", StringComparison.Ordinal)
            ? new[] { "id", "type", "clusterId", "nodePoolId", "generation", "time" }
            : ["id", "type", "clusterId", "generation", "time"];
        Assert.Equal(expectedFields, document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(row.Id.ToString(), document.RootElement.GetProperty("id").GetString());
        Assert.Equal(3, document.RootElement.GetProperty("generation").GetInt64());
        Assert.Matches("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$", document.RootElement.GetProperty("time").GetString());
        Assert.Equal(type, message.Attributes[EventAttributes.Type]);
        Assert.Equal(TraceParent, message.Attributes[EventAttributes.TraceParent]);
        Assert.Equal(row with { OccurredAt = row.OccurredAt.AddTicks(-(row.OccurredAt.Ticks % TimeSpan.TicksPerSecond)), TraceParent = null },
            ToRow(ClusterEvent.TryParse(message.Data.Span)!));
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Cluster_events_fit_in_256_bytes_and_node_pool_events_exceed_it_only_by_their_node_pool_id(string type)
    {
        // The size grows by a byte per digit of the generation. At 99, the longest type (cluster.reconcile)
        // is exactly 256 bytes; docs/events.md gives the limits per type.
        var size = EventMessages.Size(EventMessages.ToMessage(Row(type, generation: 99)));

        // API.md's 256 bytes cannot hold a node pool event with every field it requires (three UUIDs,
        // type, generation, time, traceparent): docs/events.md records this conflict.
        var limit = type.StartsWith("nodepool.", StringComparison.Ordinal) ? EventTopics.MaxMessageBytes + NodePoolIdBytes : EventTopics.MaxMessageBytes;
        Assert.InRange(size, 1, limit);
    }

    private static OutboxRow Row(string type, long generation) => new(
        Guid.CreateVersion7(), type, Guid.CreateVersion7(),
        type.StartsWith("nodepool.", StringComparison.Ordinal) ? Guid.CreateVersion7() : null,
        generation, new DateTime(2026, 11, 26, 4, 25, 42, 505, DateTimeKind.Utc), TraceParent);

    private static OutboxRow ToRow(ClusterEvent e) => new(e.Id, e.Type, e.ClusterId, e.NodePoolId, e.Generation, e.Time, null);
}
