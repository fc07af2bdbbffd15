using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf.WellKnownTypes;

namespace ClusterPlatform.Tests.PubSub;

public sealed class AdminTests(PubSubEmulator emulator)
{
    [Fact]
    public async Task EnsureTopology_is_idempotent_even_when_replicas_race_and_creates_the_dead_letter_inspection_subscription()
    {
        using var connection = emulator.Connect();
        var admin = new PubSubAdmin(connection);
        Task Ensure() => admin.EnsureTopologyAsync("cluster-events", "cluster-events-dead-letter", ["placement", "dns-management"],
            cancellationToken: Cancellation);

        await Task.WhenAll(Ensure(), Ensure());
        await Ensure();

        var placement = await GetSubscriptionAsync(connection, "placement");
        Assert.Equal(connection.TopicName("cluster-events"), placement.Topic);
        Assert.Equal(connection.TopicName("cluster-events-dead-letter"), placement.DeadLetterPolicy.DeadLetterTopic);
        Assert.Equal(5, placement.DeadLetterPolicy.MaxDeliveryAttempts);
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromSeconds(1)), placement.RetryPolicy.MinimumBackoff);
        Assert.Equal(Duration.FromTimeSpan(TimeSpan.FromSeconds(60)), placement.RetryPolicy.MaximumBackoff);
        Assert.Equal((int)SubscriberSettings.DefaultAckDeadline.TotalSeconds, placement.AckDeadlineSeconds);
        Assert.Equal(connection.TopicName("cluster-events"), (await GetSubscriptionAsync(connection, "dns-management")).Topic);

        var inspection = await GetSubscriptionAsync(connection, PubSubAdmin.InspectionSubscriptionId("cluster-events-dead-letter"));
        Assert.Equal("cluster-events-dead-letter-inspect", PubSubAdmin.InspectionSubscriptionId("cluster-events-dead-letter"));
        Assert.Equal(connection.TopicName("cluster-events-dead-letter"), inspection.Topic);
        Assert.Null(inspection.DeadLetterPolicy);
    }

    private static async Task<Subscription> GetSubscriptionAsync(PubSubConnection connection, string subscriptionId) =>
        await connection.SubscriberClient.GetSubscriptionAsync(
            new GetSubscriptionRequest { Subscription = connection.SubscriptionName(subscriptionId) }, cancellationToken: Cancellation);
}
