using System.Text;
using System.Text.Json;
using ClusterPlatform.Api.Events;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// The event message of docs/events.md: the type and traceparent attributes, compact JSON data with
/// only what they do not carry, and its size against docs/api.md's 256 bytes.
/// </summary>
public sealed class EventEnvelopeTests
{
    // A full W3C traceparent: version, 16-byte trace id, 8-byte span id, flags (55 characters).
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static readonly DateTime OccurredAt = new(2026, 11, 26, 4, 25, 42, 505, DateTimeKind.Utc);

    public static TheoryData<string> Types => new(EventTypes.All);

    [Theory]
    [MemberData(nameof(Types))]
    public void Data_carries_only_the_ids_and_the_generation_and_the_attributes_carry_type_and_traceparent(string type)
    {
        var row = Row(type, generation: 3);

        var message = EventMessages.ToMessage(row);

        var json = message.Data.ToStringUtf8();
        Assert.DoesNotContain(" ", json);
        using var document = JsonDocument.Parse(json);
        var expectedFields = IsNodePool(type) ? new[] { "id", "clusterId", "nodePoolId", "generation" } : ["id", "clusterId", "generation"];
        Assert.Equal(expectedFields, document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(row.Id.ToString(), document.RootElement.GetProperty("id").GetString());
        Assert.Equal(3, document.RootElement.GetProperty("generation").GetInt64());
        Assert.Equal(
            new Dictionary<string, string> { [EventAttributes.Type] = type, [EventAttributes.TraceParent] = TraceParent },
            message.Attributes.ToDictionary());

        var parsed = ClusterEvent.TryParse(message.Data.Span, message.Attributes);
        Assert.Equal(new ClusterEvent(row.Id, type, row.ClusterId, row.NodePoolId, 3), parsed);
        // The time the data no longer carries is the id's, to the millisecond.
        Assert.Equal(new DateTimeOffset(OccurredAt), parsed!.Time);
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void Every_message_fits_256_bytes_at_every_generation_up_to_10_to_the_9_and_beyond(string type)
    {
        // The worst case: the longest ids (every UUID is 36 characters), a full traceparent, and each
        // generation width from one digit to ten (10^9), plus the largest generation there is.
        long[] generations = [.. Enumerable.Range(0, 10).Select(digits => (long)Math.Pow(10, digits + 1) - 1), 1_000_000_000L, long.MaxValue];
        foreach (var generation in generations)
        {
            var size = EventMessages.Size(EventMessages.ToMessage(Row(type, generation)));
            Assert.True(size <= EventTopics.MaxMessageBytes, $"{type} at generation {generation} is {size} bytes");
        }
    }

    [Theory]
    // Data plus attribute keys and values, as docs/events.md counts them (its table): cluster events keep
    // their trace context at any generation; a node pool event fills 256 bytes at eight digits, and from
    // nine digits on it goes without its traceparent (66 bytes) rather than past the bound.
    [InlineData(EventTypes.ClusterReconcile, 1L, 198, true)]
    [InlineData(EventTypes.ClusterReconcile, 99_999_999L, 205, true)]
    [InlineData(EventTypes.ClusterReconcile, 1_000_000_000L, 207, true)]
    [InlineData(EventTypes.ClusterReconcile, long.MaxValue, 216, true)]
    [InlineData(EventTypes.NodePoolCreated, 1L, 249, true)]
    [InlineData(EventTypes.NodePoolUpdated, 99_999_999L, 256, true)]
    [InlineData(EventTypes.NodePoolDeleted, 100_000_000L, 191, false)]
    [InlineData(EventTypes.NodePoolDeleted, 1_000_000_000L, 192, false)]
    [InlineData(EventTypes.NodePoolCreated, long.MaxValue, 201, false)]
    public void Message_sizes_are_the_ones_docs_events_md_gives(string type, long generation, int bytes, bool traced)
    {
        var message = EventMessages.ToMessage(Row(type, generation));

        Assert.Equal(bytes, EventMessages.Size(message));
        Assert.Equal(traced, message.Attributes.ContainsKey(EventAttributes.TraceParent));
        // Without its trace context the event is still whole.
        Assert.Equal(generation, ClusterEvent.TryParse(message.Data.Span, message.Attributes)!.Generation);
    }

    [Fact]
    public void Data_of_the_earlier_format_with_type_and_time_still_reads_with_the_type_from_the_attribute()
    {
        var (id, clusterId) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var data = Encoding.UTF8.GetBytes(
            $$"""{"id":"{{id}}","type":"cluster.updated","clusterId":"{{clusterId}}","generation":3,"time":"2026-11-26T04:25:42Z"}""");

        var parsed = ClusterEvent.TryParse(data, new Dictionary<string, string> { [EventAttributes.Type] = EventTypes.ClusterUpdated });

        Assert.Equal(new ClusterEvent(id, EventTypes.ClusterUpdated, clusterId, null, 3), parsed);
    }

    [Theory]
    [InlineData("""{"id":"0190c3a4-0000-7000-8000-000000000001","clusterId":"0190c3a4-0000-7000-8000-000000000002","generation":1}""", null)]
    [InlineData("""{"id":"0190c3a4-0000-7000-8000-000000000001","clusterId":"0190c3a4-0000-7000-8000-000000000002","generation":1}""", "")]
    [InlineData("""{"id":"0190c3a4-0000-7000-8000-000000000001","generation":1}""", EventTypes.ClusterCreated)]
    [InlineData("""{"clusterId":"0190c3a4-0000-7000-8000-000000000002","generation":1}""", EventTypes.ClusterCreated)]
    [InlineData("""{"id":"0190c3a4-0000-7000-8000-000000000001","clusterId":"0190c3a4-0000-7000-8000-000000000002"}""", EventTypes.ClusterCreated)]
    [InlineData("not json", EventTypes.ClusterCreated)]
    [InlineData("", EventTypes.ClusterCreated)]
    public void A_message_without_a_type_attribute_ids_or_a_generation_is_not_a_cluster_event(string data, string? type)
    {
        var attributes = type is null ? new Dictionary<string, string>() : new Dictionary<string, string> { [EventAttributes.Type] = type };

        Assert.Null(ClusterEvent.TryParse(Encoding.UTF8.GetBytes(data), attributes));
    }

    private static bool IsNodePool(string type) => type.StartsWith("nodepool.", StringComparison.Ordinal);

    private static OutboxRow Row(string type, long generation) => new(
        Guid.CreateVersion7(new DateTimeOffset(OccurredAt)), type, Guid.CreateVersion7(),
        IsNodePool(type) ? Guid.CreateVersion7() : null,
        generation, OccurredAt, TraceParent);
}
