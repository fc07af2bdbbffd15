using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>Small helpers the Pub/Sub tests share.</summary>
internal static class PubSubTestKit
{
    /// <summary>How long a test waits for something that normally takes well under a second.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The minimum ack deadline Pub/Sub allows, so lease and redelivery tests stay short.</summary>
    public static readonly TimeSpan ShortestAckDeadline = TimeSpan.FromSeconds(10);

    public static PubsubMessage Message(string data, params (string Key, string Value)[] attributes)
    {
        var message = new PubsubMessage { Data = ByteString.CopyFromUtf8(data) };
        foreach (var (key, value) in attributes)
        {
            message.Attributes[key] = value;
        }

        return message;
    }

    /// <summary>
    /// The messages available for delivery right now (Pull with return_immediately): a nacked message
    /// is there at once, an acked one never, a leased one not before its deadline.
    /// </summary>
    public static async Task<IReadOnlyList<ReceivedMessage>> PullNowAsync(this PubSubConnection connection, string subscriptionId)
    {
        var response = await connection.SubscriberClient.PullAsync(new PullRequest
        {
            Subscription = connection.SubscriptionName(subscriptionId),
            ReturnImmediately = true,
            MaxMessages = 100,
        });
        return response.ReceivedMessages;
    }
}

/// <summary>
/// What most Pub/Sub tests start from: a connection to a project of the test's own, a topic, at most
/// one subscription to it, and a publisher (whose delays follow <c>publisherTime</c> when given).
/// Disposing closes the publisher, then the connection.
/// </summary>
internal sealed class TopicSetup : IAsyncDisposable
{
    private TopicSetup(PubSubConnection connection, string topicId, TimeProvider? publisherTime)
    {
        Connection = connection;
        Admin = new PubSubAdmin(connection);
        TopicId = topicId;
        Publisher = new PubSubPublisher(connection, timeProvider: publisherTime);
    }

    public PubSubConnection Connection { get; }

    public PubSubAdmin Admin { get; }

    public string TopicId { get; }

    public PubSubPublisher Publisher { get; }

    /// <summary>
    /// Ensures <paramref name="topicId"/> and, when named, <paramref name="subscriptionId"/> on it with
    /// <paramref name="ackDeadline"/> (the admin's default when null).
    /// </summary>
    public static async Task<TopicSetup> CreateAsync(
        PubSubEmulator emulator,
        string topicId = "events",
        string? subscriptionId = null,
        TimeSpan? ackDeadline = null,
        TimeProvider? publisherTime = null)
    {
        var connection = emulator.Connect();
        var setup = new TopicSetup(connection, topicId, publisherTime);
        try
        {
            await setup.Admin.EnsureTopicAsync(topicId, Cancellation);
            if (subscriptionId is not null)
            {
                await setup.Admin.EnsureSubscriptionAsync(subscriptionId, topicId, ackDeadline: ackDeadline, cancellationToken: Cancellation);
            }

            return setup;
        }
        catch
        {
            await setup.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Publisher.DisposeAsync();
        Connection.Dispose();
    }
}

/// <summary>A subscriber running in the background for one test; disposing stops it.</summary>
internal sealed class RunningSubscriber : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();

    public RunningSubscriber(
        PubSubConnection connection,
        string subscriptionId,
        Func<ReceivedMessage, CancellationToken, Task> handler,
        SubscriberSettings? settings = null,
        TimeProvider? timeProvider = null,
        Microsoft.Extensions.Logging.ILogger<PubSubSubscriber>? logger = null)
    {
        Completion = new PubSubSubscriber(connection, logger, timeProvider).RunAsync(subscriptionId, handler,
            settings ?? new SubscriberSettings { AckDeadline = PubSubTestKit.ShortestAckDeadline, ShutdownGracePeriod = TimeSpan.FromSeconds(5) },
            stop.Token);
    }

    /// <summary>What <see cref="PubSubSubscriber.RunAsync"/> returned.</summary>
    public Task Completion { get; }

    /// <summary>Fires the stopping token without waiting for the subscriber to return.</summary>
    public Task RequestStopAsync() => stop.CancelAsync();

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await Completion.WaitAsync(PubSubTestKit.Patience);
        stop.Dispose();
    }
}

/// <summary>Records the Publish requests sent to one topic, from the library's publish spans.</summary>
internal sealed class PublishRequestLog : IDisposable
{
    private readonly ActivityListener listener;
    private readonly ConcurrentQueue<int> messageCounts = new();

    public PublishRequestLog(string topicId)
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == PubSubExtensions.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.Kind == ActivityKind.Producer && Equals(activity.GetTagItem("messaging.destination.name"), topicId))
                {
                    messageCounts.Enqueue((int)activity.GetTagItem("messaging.batch.message_count")!);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
    }

    /// <summary>The number of messages of each request, in the order they completed.</summary>
    public IReadOnlyList<int> MessageCounts => [.. messageCounts];

    public void Dispose() => listener.Dispose();
}

/// <summary>
/// A clock whose one-shot delays end only when the test says so: the code under test waits, and the
/// test sees each wait begin, with no sleeping on either side. Periodic timers never fire.
/// </summary>
internal sealed class ManualDelays : TimeProvider
{
    private readonly Channel<Delay> started = Channel.CreateUnbounded<Delay>();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var delay = new Delay(callback, state, dueTime);
        if (period == Timeout.InfiniteTimeSpan)
        {
            started.Writer.TryWrite(delay);
        }

        return delay;
    }

    /// <summary>The next delay the code under test started (waiting for it to start).</summary>
    public async Task<Delay> NextAsync() => await started.Reader.ReadAsync().AsTask().WaitAsync(PubSubTestKit.Patience);

    internal sealed class Delay(TimerCallback callback, object? state, TimeSpan dueTime) : ITimer
    {
        public TimeSpan DueTime { get; } = dueTime;

        /// <summary>Ends the delay as if its time had come.</summary>
        public void Elapse() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
