using ClusterPlatform.PubSub.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterPlatform.PubSub;

/// <summary>
/// Creates topics and subscriptions idempotently, so every process can ensure what it needs at
/// startup (the emulator keeps nothing across restarts). Something that exists already counts as
/// ensured and is not compared or updated. Transient failures are retried until the token is cancelled.
/// </summary>
public sealed class PubSubAdmin(PubSubConnection connection, ILogger<PubSubAdmin>? logger = null, TimeProvider? timeProvider = null)
{
    private readonly ILogger logger = logger ?? NullLogger<PubSubAdmin>.Instance;
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// The subscription <see cref="EnsureTopologyAsync"/> attaches to a dead-letter topic:
    /// <c>{deadLetterTopicId}-inspect</c>. A topic without subscriptions drops what is published to it,
    /// so without this one dead letters would be lost instead of waiting to be looked at.
    /// </summary>
    public static string InspectionSubscriptionId(string deadLetterTopicId) => $"{deadLetterTopicId}-inspect";

    public Task EnsureTopicAsync(string topicId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicId);
        return CreateAsync(
            token => connection.PublisherClient.CreateTopicAsync(new Topic { Name = connection.TopicName(topicId) }, cancellationToken: token).ResponseAsync,
            $"topic {topicId}", cancellationToken);
    }

    /// <summary>
    /// Ensures a subscription of <paramref name="topicId"/>. With <paramref name="deadLetterTopicId"/>, a
    /// message goes there after <paramref name="maxDeliveryAttempts"/> (5 to 100) deliveries; that topic
    /// must exist. Redeliveries back off from <paramref name="minBackoff"/> (default 1 s) to
    /// <paramref name="maxBackoff"/> (default 60 s). On Cloud Pub/Sub, dead-lettering also needs the
    /// project's Pub/Sub service agent to be allowed to publish to the dead-letter topic and to
    /// subscribe to this subscription.
    /// </summary>
    public Task EnsureSubscriptionAsync(
        string subscriptionId,
        string topicId,
        string? deadLetterTopicId = null,
        int maxDeliveryAttempts = 5,
        TimeSpan? minBackoff = null,
        TimeSpan? maxBackoff = null,
        TimeSpan? ackDeadline = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(topicId);
        var subscription = new Subscription
        {
            Name = connection.SubscriptionName(subscriptionId),
            Topic = connection.TopicName(topicId),
            AckDeadlineSeconds = (int)(ackDeadline ?? SubscriberSettings.DefaultAckDeadline).TotalSeconds,
            RetryPolicy = new RetryPolicy
            {
                MinimumBackoff = Duration.FromTimeSpan(minBackoff ?? TimeSpan.FromSeconds(1)),
                MaximumBackoff = Duration.FromTimeSpan(maxBackoff ?? TimeSpan.FromSeconds(60)),
            },
        };
        if (deadLetterTopicId is not null)
        {
            subscription.DeadLetterPolicy = new DeadLetterPolicy
            {
                DeadLetterTopic = connection.TopicName(deadLetterTopicId),
                MaxDeliveryAttempts = maxDeliveryAttempts,
            };
        }

        return CreateAsync(
            token => connection.SubscriberClient.CreateSubscriptionAsync(subscription, cancellationToken: token).ResponseAsync,
            $"subscription {subscriptionId}", cancellationToken);
    }

    /// <summary>
    /// Ensures a topic, its dead-letter topic with the subscription <see cref="InspectionSubscriptionId"/>
    /// on it, and <paramref name="subscriptionIds"/> on the topic, each dead-lettering after
    /// <paramref name="maxDeliveryAttempts"/> deliveries, in the order that lets each step succeed.
    /// </summary>
    public async Task EnsureTopologyAsync(
        string topicId,
        string deadLetterTopicId,
        IEnumerable<string> subscriptionIds,
        int maxDeliveryAttempts = 5,
        TimeSpan? minBackoff = null,
        TimeSpan? maxBackoff = null,
        TimeSpan? ackDeadline = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptionIds);
        await EnsureTopicAsync(topicId, cancellationToken);
        await EnsureTopicAsync(deadLetterTopicId, cancellationToken);
        await EnsureSubscriptionAsync(InspectionSubscriptionId(deadLetterTopicId), deadLetterTopicId,
            ackDeadline: ackDeadline, cancellationToken: cancellationToken);
        await Task.WhenAll(subscriptionIds.Select(id => EnsureSubscriptionAsync(
            id, topicId, deadLetterTopicId, maxDeliveryAttempts, minBackoff, maxBackoff, ackDeadline, cancellationToken)));
    }

    private async Task CreateAsync<T>(Func<CancellationToken, Task<T>> create, string what, CancellationToken cancellationToken)
    {
        try
        {
            await Retry.UntilCancelledAsync(create, $"Creating {what}", logger, time, cancellationToken);
            logger.LogInformation("Created {What}", what);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            logger.LogDebug("{What} exists already", what);
        }
    }
}
