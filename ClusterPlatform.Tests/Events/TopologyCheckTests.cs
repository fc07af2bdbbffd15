using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// The check the relay's topology watch runs every probe interval: it must see every way
/// a subscription can be missing at publish time, or the relay would publish into a topology that
/// loses events.
/// </summary>
public sealed class TopologyCheckTests(PubSubEmulator emulator)
{
    private const string Topic = "cluster-events";
    private const string DeadLetterTopic = "cluster-events-dead-letter";
    private static readonly string[] Subscriptions = ["placement", "dns-management"];
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FindMissing_reports_subscriptions_that_do_not_exist_or_lost_their_topic_and_nothing_once_all_exist()
    {
        using var connection = emulator.Connect();
        var admin = new PubSubAdmin(connection);
        Task<IReadOnlyList<string>> Missing() => admin.FindMissingAsync(Topic, DeadLetterTopic, Subscriptions, Timeout, Cancellation);

        Assert.Equal(["placement", "dns-management", "cluster-events-dead-letter-inspect"], await Missing());

        // What a controller re-creates first after the emulator restarted: the topic and its own subscription.
        await admin.EnsureTopicAsync(Topic, Cancellation);
        await admin.EnsureSubscriptionAsync("placement", Topic, cancellationToken: Cancellation);
        Assert.Equal(["dns-management", "cluster-events-dead-letter-inspect"], await Missing());

        await admin.EnsureTopologyAsync(Topic, DeadLetterTopic, Subscriptions, cancellationToken: Cancellation);
        Assert.Empty(await Missing());

        // A subscription whose topic was deleted (and re-created) receives nothing from the new topic.
        await connection.PublisherClient.DeleteTopicAsync(new DeleteTopicRequest { Topic = connection.TopicName(Topic) }, cancellationToken: Cancellation);
        await admin.EnsureTopicAsync(Topic, Cancellation);
        Assert.Equal(["placement", "dns-management"], await Missing());
    }
}
