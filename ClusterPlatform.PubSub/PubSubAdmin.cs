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
    /// Raised for each attempt of a create that failed for a transient reason and is retried: what
    /// was created before the outage may be gone after it (the emulator forgets everything when it
    /// restarts), so a caller that ensures several resources can ensure them all again.
    /// </summary>
    public event EventHandler<Exception>? AttemptFailed;

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

    /// <summary>
    /// What of the topology <see cref="EnsureTopologyAsync"/> makes is missing right now, in one attempt
    /// and without retries: the names of the subscriptions among <paramref name="subscriptionIds"/> and
    /// <see cref="InspectionSubscriptionId"/> that do not exist or are not attached to their topic.
    /// Empty when all exist. One GetSubscription per subscription, concurrently: a subscription names
    /// its topic, and Pub/Sub shows <c>_deleted-topic_</c> there once the topic is gone
    /// (googleapis google/pubsub/v1/pubsub.proto, <c>Subscription.topic</c>), so the topics need no
    /// calls of their own. Throws <see cref="RpcException"/> when Pub/Sub does not answer within
    /// <paramref name="timeout"/> (<c>DEADLINE_EXCEEDED</c>) or at all.
    /// </summary>
    public async Task<IReadOnlyList<string>> FindMissingAsync(
        string topicId,
        string deadLetterTopicId,
        IEnumerable<string> subscriptionIds,
        TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscriptionIds);
        var expected = subscriptionIds.Select(id => (Id: id, Topic: topicId))
            .Append((Id: InspectionSubscriptionId(deadLetterTopicId), Topic: deadLetterTopicId))
            .ToList();
        var present = await Task.WhenAll(expected.Select(async e =>
        {
            try
            {
                var subscription = await PubSubErrors.WithDeadline(deadline => connection.SubscriberClient.GetSubscriptionAsync(
                    new GetSubscriptionRequest { Subscription = connection.SubscriptionName(e.Id) },
                    deadline: deadline, cancellationToken: cancellationToken).ResponseAsync, timeout, cancellationToken);
                return subscription.Topic == connection.TopicName(e.Topic);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return false;
            }
        }));
        return [.. expected.Where((_, i) => !present[i]).Select(e => e.Id)];
    }

    private async Task CreateAsync<T>(Func<CancellationToken, Task<T>> create, string what, CancellationToken cancellationToken)
    {
        try
        {
            await Retry.UntilCancelledAsync(PubSubErrors.ReportingFailures(create, e => AttemptFailed?.Invoke(this, e)), $"Creating {what}", logger, time, cancellationToken);
            logger.LogInformation("Created {What}", what);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            logger.LogDebug("{What} exists already", what);
        }
    }
}
