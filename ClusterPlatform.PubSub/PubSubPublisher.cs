using System.Collections.Concurrent;
using ClusterPlatform.PubSub.V1;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterPlatform.PubSub;

/// <summary>
/// Publishes messages to topics of the connection's project. Transient failures are retried with
/// backoff until the caller's token is cancelled, so an outage delays a publish instead of failing it;
/// a permanent failure (an unknown topic, a refused permission, an invalid message) throws
/// <see cref="Grpc.Core.RpcException"/> at once.
/// </summary>
public sealed class PubSubPublisher(
    PubSubConnection connection, ILogger<PubSubPublisher>? logger = null, TimeProvider? timeProvider = null) : IAsyncDisposable
{
    // Pub/Sub's limits for one Publish request.
    internal const int MaxMessagesPerRequest = 1000;
    internal const int MaxBytesPerRequest = 10_000_000;

    // Single-message publishes wait at most this long for company, and go at once when this many are
    // waiting: a few milliseconds of latency buy one request for many concurrent callers.
    internal const int BatchMessageThreshold = 100;
    internal static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(5);

    // Google's own per-attempt timeout for Publish; a connection that hangs becomes a retry.
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(60);

    private readonly ILogger logger = logger ?? NullLogger<PubSubPublisher>.Instance;
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;
    private readonly ConcurrentDictionary<(string TopicId, string OrderingKey), Batcher> batchers = new();
    private volatile bool disposed;

    /// <summary>
    /// Raised for each attempt that failed for a transient reason and is retried. A publish that in
    /// the end succeeded may still have spanned an outage; with the emulator, one that restarted and
    /// forgot its topics and subscriptions (the Api's relay then verifies its topology again).
    /// </summary>
    public event EventHandler<Exception>? AttemptFailed;

    /// <summary>
    /// Publishes <paramref name="messages"/> in order, in as few requests as Pub/Sub's limits allow
    /// (1,000 messages and 10 MB each, one ordering key each), and returns their ids in the same order.
    /// </summary>
    public async Task<IReadOnlyList<string>> PublishAsync(
        string topicId, IReadOnlyList<PubsubMessage> messages, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicId);
        ArgumentNullException.ThrowIfNull(messages);
        var ids = new List<string>(messages.Count);
        // Sequential, so the requests of one ordering key reach the server in order.
        foreach (var request in Split(connection.TopicName(topicId), messages))
        {
            ids.AddRange(await SendAsync(topicId, request, cancellationToken));
        }

        return ids;
    }

    /// <summary>
    /// Publishes one message together with the others published to the same topic (and ordering key)
    /// at about the same time, and returns its id. Cancelling before the shared request is sent takes
    /// the message out of it; cancelling after that only stops waiting, and the message may still be
    /// published. Concurrent calls are not ordered among themselves.
    /// </summary>
    public Task<string> PublishAsync(string topicId, PubsubMessage message, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topicId);
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<string>(cancellationToken);
        }

        return batchers.GetOrAdd((topicId, message.OrderingKey), key => new Batcher(this, key.TopicId)).Add(message, cancellationToken);
    }

    /// <summary>Sends what is waiting to be batched and waits for every request in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        disposed = true;
        await Task.WhenAll(batchers.Values.Select(b => b.FlushAsync()));
    }

    /// <summary>Cuts <paramref name="messages"/> into requests within Pub/Sub's limits, keeping their order.</summary>
    internal static IEnumerable<PublishRequest> Split(string topic, IReadOnlyList<PubsubMessage> messages)
    {
        var request = new PublishRequest { Topic = topic };
        var emptySize = request.CalculateSize();
        var size = emptySize;
        foreach (var message in messages)
        {
            var messageSize = EncodedSize(message);
            if (request.Messages.Count > 0 &&
                (request.Messages.Count == MaxMessagesPerRequest ||
                 size + messageSize > MaxBytesPerRequest ||
                 message.OrderingKey != request.Messages[0].OrderingKey))
            {
                yield return request;
                request = new PublishRequest { Topic = topic };
                size = emptySize;
            }

            // A single message over the limit still goes, alone: the server's INVALID_ARGUMENT says why.
            request.Messages.Add(message);
            size += messageSize;
        }

        if (request.Messages.Count > 0)
        {
            yield return request;
        }
    }

    // A repeated message field costs a one-byte tag and a length prefix besides the message itself.
    private static int EncodedSize(PubsubMessage message)
    {
        var size = message.CalculateSize();
        return 1 + CodedOutputStream.ComputeLengthSize(size) + size;
    }

    private async Task<IReadOnlyList<string>> SendAsync(string topicId, PublishRequest request, CancellationToken cancellationToken)
    {
        using var activity = PubSubTelemetry.StartPublish(topicId, request.Messages.Count);
        try
        {
            var response = await Retry.UntilCancelledAsync(
                PubSubErrors.ReportingFailures(token => PubSubErrors.WithDeadline(deadline => connection.PublisherClient.PublishAsync(
                    request, deadline: deadline, cancellationToken: token).ResponseAsync, AttemptTimeout, token), e => AttemptFailed?.Invoke(this, e)),
                $"Publishing {request.Messages.Count} message(s) to {topicId}", logger, time, cancellationToken);
            return response.MessageIds;
        }
        catch (Exception ex)
        {
            activity.Fail(ex);
            throw;
        }
    }

    /// <summary>Collects single-message publishes of one topic and ordering key into shared requests.</summary>
    private sealed class Batcher(PubSubPublisher publisher, string topicId)
    {
        private readonly Lock gate = new();
        private readonly HashSet<Task> sending = [];
        private Batch? open;

        public Task<string> Add(PubsubMessage message, CancellationToken cancellationToken)
        {
            var entry = new Entry(message);
            Batch batch;
            bool first, full;
            lock (gate)
            {
                batch = open ??= new Batch();
                first = batch.Entries.Count == 0;
                batch.Add(entry);
                full = batch.Entries.Count >= BatchMessageThreshold || batch.Bytes >= MaxBytesPerRequest;
                if (full)
                {
                    open = null;
                }
            }

            // Registered outside the lock: an already-cancelled token runs the callback right here.
            entry.Registration = cancellationToken.Register(() =>
            {
                if (entry.Completion.TrySetCanceled(cancellationToken))
                {
                    batch.Abandon();
                }
            });
            if (entry.Completion.Task.IsCompleted)
            {
                entry.Registration.Dispose(); // the batch went, and finished, before the registration existed
            }

            if (full)
            {
                Send(batch);
            }
            else if (first)
            {
                _ = SendLaterAsync(batch);
            }

            return entry.Completion.Task;
        }

        /// <summary>Sends the open batch now and waits for every send of this batcher.</summary>
        public Task FlushAsync()
        {
            Batch? batch;
            lock (gate)
            {
                batch = open;
                open = null;
            }

            if (batch is not null)
            {
                Send(batch);
            }

            lock (gate)
            {
                return Task.WhenAll(sending.ToArray());
            }
        }

        private async Task SendLaterAsync(Batch batch)
        {
            await Task.Delay(BatchDelay, publisher.time);
            lock (gate)
            {
                if (open != batch)
                {
                    return; // it filled up (or was flushed) and went already
                }

                open = null;
            }

            Send(batch);
        }

        private void Send(Batch batch)
        {
            var task = SendAsync(batch);
            lock (gate)
            {
                if (!task.IsCompleted)
                {
                    sending.Add(task);
                }
            }

            _ = task.ContinueWith(t =>
            {
                lock (gate)
                {
                    sending.Remove(t);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async Task SendAsync(Batch batch)
        {
            // Callers that cancelled while the batch was open are left out.
            batch.Seal();
            var live = batch.Entries.Where(e => !e.Completion.Task.IsCompleted).ToList();
            try
            {
                if (live.Count == 0)
                {
                    return;
                }

                var ids = await publisher.PublishAsync(topicId, live.Select(e => e.Message).ToList(), batch.Cancellation.Token);
                for (var i = 0; i < live.Count; i++)
                {
                    live[i].Completion.TrySetResult(ids[i]);
                }
            }
            catch (OperationCanceledException)
            {
                live.ForEach(e => e.Completion.TrySetCanceled());
            }
            catch (Exception ex)
            {
                live.ForEach(e => e.Completion.TrySetException(ex));
            }
            finally
            {
                foreach (var entry in batch.Entries)
                {
                    await entry.Registration.DisposeAsync();
                }

                batch.Cancellation.Dispose();
            }
        }
    }

    private sealed class Entry(PubsubMessage message)
    {
        public PubsubMessage Message { get; } = message;

        public TaskCompletionSource<string> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }

    /// <summary>
    /// The callers of one request. Its retries stop only when every caller has given up, since one
    /// impatient caller must not cost the others their publish.
    /// </summary>
    private sealed class Batch
    {
        private int waiting;
        private volatile bool isSealed;

        public List<Entry> Entries { get; } = [];

        public long Bytes { get; private set; }

        public CancellationTokenSource Cancellation { get; } = new();

        public void Add(Entry entry)
        {
            Entries.Add(entry);
            Bytes += EncodedSize(entry.Message);
            Interlocked.Increment(ref waiting);
        }

        /// <summary>No entry joins from now on; the request is about to be sent.</summary>
        public void Seal() => isSealed = true;

        public void Abandon()
        {
            // Before the seal, a batch that every caller left is simply never sent; cancelling it then
            // would also cancel callers who join it afterwards.
            if (Interlocked.Decrement(ref waiting) == 0 && isSealed)
            {
                try
                {
                    Cancellation.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The request completed while the last caller was giving up.
                }
            }
        }
    }
}
