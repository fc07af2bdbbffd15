using System.Text.RegularExpressions;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf.Reflection;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>
/// The generated client must speak Google's google.pubsub.v1 protocol exactly. The tables below are
/// the record: Google's names, numbers and types (googleapis google/pubsub/v1/pubsub.proto) for every
/// field and method the project keeps. docs/pubsub-wire.md lists the same and is checked against them.
/// </summary>
public sealed partial class ProtoWireNumbersTests
{
    private static readonly (string Message, string Field, int Number, string Type)[] GoogleFields =
    [
        ("Topic", "name", 1, "string"),
        ("Topic", "labels", 2, "map<string, string>"),
        ("PubsubMessage", "data", 1, "bytes"),
        ("PubsubMessage", "attributes", 2, "map<string, string>"),
        ("PubsubMessage", "message_id", 3, "string"),
        ("PubsubMessage", "publish_time", 4, "google.protobuf.Timestamp"),
        ("PubsubMessage", "ordering_key", 5, "string"),
        ("GetTopicRequest", "topic", 1, "string"),
        ("PublishRequest", "topic", 1, "string"),
        ("PublishRequest", "messages", 2, "repeated PubsubMessage"),
        ("PublishResponse", "message_ids", 1, "repeated string"),
        ("DeleteTopicRequest", "topic", 1, "string"),
        ("Subscription", "name", 1, "string"),
        ("Subscription", "topic", 2, "string"),
        ("Subscription", "ack_deadline_seconds", 5, "int32"),
        ("Subscription", "dead_letter_policy", 13, "DeadLetterPolicy"),
        ("Subscription", "retry_policy", 14, "RetryPolicy"),
        ("RetryPolicy", "minimum_backoff", 1, "google.protobuf.Duration"),
        ("RetryPolicy", "maximum_backoff", 2, "google.protobuf.Duration"),
        ("DeadLetterPolicy", "dead_letter_topic", 1, "string"),
        ("DeadLetterPolicy", "max_delivery_attempts", 2, "int32"),
        ("ReceivedMessage", "ack_id", 1, "string"),
        ("ReceivedMessage", "message", 2, "PubsubMessage"),
        ("ReceivedMessage", "delivery_attempt", 3, "int32"),
        ("GetSubscriptionRequest", "subscription", 1, "string"),
        ("DeleteSubscriptionRequest", "subscription", 1, "string"),
        ("PullRequest", "subscription", 1, "string"),
        ("PullRequest", "return_immediately", 2, "bool"),
        ("PullRequest", "max_messages", 3, "int32"),
        ("PullResponse", "received_messages", 1, "repeated ReceivedMessage"),
        ("ModifyAckDeadlineRequest", "subscription", 1, "string"),
        ("ModifyAckDeadlineRequest", "ack_ids", 4, "repeated string"),
        ("ModifyAckDeadlineRequest", "ack_deadline_seconds", 3, "int32"),
        ("AcknowledgeRequest", "subscription", 1, "string"),
        ("AcknowledgeRequest", "ack_ids", 2, "repeated string"),
        ("StreamingPullRequest", "subscription", 1, "string"),
        ("StreamingPullRequest", "ack_ids", 2, "repeated string"),
        ("StreamingPullRequest", "modify_deadline_seconds", 3, "repeated int32"),
        ("StreamingPullRequest", "modify_deadline_ack_ids", 4, "repeated string"),
        ("StreamingPullRequest", "stream_ack_deadline_seconds", 5, "int32"),
        ("StreamingPullRequest", "client_id", 6, "string"),
        ("StreamingPullRequest", "max_outstanding_messages", 7, "int64"),
        ("StreamingPullRequest", "max_outstanding_bytes", 8, "int64"),
        ("StreamingPullResponse", "received_messages", 1, "repeated ReceivedMessage"),
    ];

    private static readonly string[] GoogleMethods =
    [
        "Publisher.CreateTopic(Topic) returns (Topic)",
        "Publisher.Publish(PublishRequest) returns (PublishResponse)",
        "Publisher.GetTopic(GetTopicRequest) returns (Topic)",
        "Publisher.DeleteTopic(DeleteTopicRequest) returns (google.protobuf.Empty)",
        "Subscriber.CreateSubscription(Subscription) returns (Subscription)",
        "Subscriber.GetSubscription(GetSubscriptionRequest) returns (Subscription)",
        "Subscriber.DeleteSubscription(DeleteSubscriptionRequest) returns (google.protobuf.Empty)",
        "Subscriber.ModifyAckDeadline(ModifyAckDeadlineRequest) returns (google.protobuf.Empty)",
        "Subscriber.Acknowledge(AcknowledgeRequest) returns (google.protobuf.Empty)",
        "Subscriber.Pull(PullRequest) returns (PullResponse)",
        "Subscriber.StreamingPull(stream StreamingPullRequest) returns (stream StreamingPullResponse)",
    ];

    private static FileDescriptor File => PubsubReflection.Descriptor;

    [Fact]
    public void The_file_is_Googles_package_and_path()
    {
        Assert.Equal("google.pubsub.v1", File.Package);
        Assert.Equal("google/pubsub/v1/pubsub.proto", File.Name);
        // The generated C# exposes the same descriptor the wire uses.
        Assert.Equal(7, StreamingPullRequest.Descriptor.FindFieldByName("max_outstanding_messages").FieldNumber);
        Assert.Equal(1, PubsubMessage.Descriptor.FindFieldByName("data").FieldNumber);
    }

    [Fact]
    public void Every_kept_field_has_Googles_number_and_type()
    {
        Assert.All(GoogleFields, expected =>
        {
            var message = File.FindTypeByName<MessageDescriptor>(expected.Message);
            Assert.True(message is not null, $"message {expected.Message} is missing");
            var field = message.FindFieldByName(expected.Field);
            Assert.True(field is not null, $"{expected.Message}.{expected.Field} is missing");
            Assert.Equal((expected.Message, expected.Field, expected.Number, expected.Type),
                (expected.Message, expected.Field, field.FieldNumber, ProtoType(field)));
        });
    }

    [Fact]
    public void No_field_is_declared_that_the_table_does_not_record()
    {
        var declared = File.MessageTypes
            .SelectMany(m => m.Fields.InDeclarationOrder().Select(f => $"{m.Name}.{f.Name}"))
            .Order();
        Assert.Equal(GoogleFields.Select(f => $"{f.Message}.{f.Field}").Order(), declared);
    }

    [Fact]
    public void Services_declare_exactly_Googles_methods()
    {
        var declared = File.Services.SelectMany(s => s.Methods.Select(m =>
            $"{s.Name}.{m.Name}({(m.IsClientStreaming ? "stream " : "")}{TypeName(m.InputType)}) " +
            $"returns ({(m.IsServerStreaming ? "stream " : "")}{TypeName(m.OutputType)})"));
        Assert.Equal(GoogleMethods.Order(), declared.Order());
    }

    [Fact]
    public void The_wire_document_lists_the_same_fields_and_methods()
    {
        var document = System.IO.File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "pubsub-wire.md"));
        var fields = document.Select(l => FieldLine().Match(l)).Where(m => m.Success)
            .Select(m => $"{m.Groups[1].Value}.{m.Groups[2].Value} = {m.Groups[3].Value} ({m.Groups[4].Value})");
        var methods = document.Select(l => MethodLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value);

        Assert.Equal(GoogleFields.Select(f => $"{f.Message}.{f.Field} = {f.Number} ({f.Type})").Order(), fields.Order());
        Assert.Equal(GoogleMethods.Order(), methods.Order());
    }

    private static string ProtoType(FieldDescriptor field)
    {
        if (field.IsMap)
        {
            var entry = field.MessageType;
            return $"map<{ProtoType(entry.FindFieldByNumber(1))}, {ProtoType(entry.FindFieldByNumber(2))}>";
        }

        var type = field.FieldType switch
        {
            FieldType.Message => TypeName(field.MessageType),
            FieldType.Enum => field.EnumType.FullName,
            _ => field.FieldType.ToString().ToLowerInvariant(),
        };
        return field.IsRepeated ? $"repeated {type}" : type;
    }

    // Own messages by their short name, as the .proto writes them; others by their full name.
    private static string TypeName(MessageDescriptor message) =>
        message.File == File ? message.Name : message.FullName;

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(dir.FullName, "ClusterPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No ClusterPlatform.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"^- (\w+)\.(\w+) = (\d+) \((.+)\)$")]
    private static partial Regex FieldLine();

    [GeneratedRegex(@"^- ((?:Publisher|Subscriber)\.\w+\(.+\) returns \(.+\))$")]
    private static partial Regex MethodLine();
}
