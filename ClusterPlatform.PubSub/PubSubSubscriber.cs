using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using ClusterPlatform.PubSub.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClusterPlatform.PubSub;

/// <summary>Receives the messages of subscriptions of the connection's project over StreamingPull.</summary>
public sealed class PubSubSubscriber(PubSubConnection connection, ILogger<PubSubSubscriber>? logger = null, TimeProvider? timeProvider = null)
{
    private readonly ILogger logger = logger ?? NullLogger<PubSubSubscriber>.Instance;
    private readonly TimeProvider time = timeProvider ?? TimeProvider.System;

    /// <summary>
    /// Hands each message of <paramref name="subscriptionId"/> to <paramref name="handler"/> until
    /// <paramref name="stoppingToken"/> fires. A handler that returns acks its message; one that throws
    /// nacks it for redelivery (and, with a dead-letter policy, towards the dead-letter topic;
    /// <see cref="ReceivedMessage.DeliveryAttempt"/> counts the attempts). At most
    /// <see cref="SubscriberSettings.MaxOutstandingMessages"/> messages are held, of which at most
    /// <see cref="SubscriberSettings.MaxConcurrentHandlers"/> are being handled, the others waiting in
    /// the order they arrived; every held message's ack deadline is extended, waiting or running. Lost
    /// streams reconnect with backoff.
    /// <para>
    /// On stop: no new message is taken, messages not yet handed out are nacked, running handlers get
    /// <see cref="SubscriberSettings.ShutdownGracePeriod"/> to finish, then their token fires, their
    /// messages are nacked and this returns. A permanent error (for example NOT_FOUND for an unknown
    /// subscription) stops the same way and is then thrown.
    /// </para>
    /// </summary>
    public Task RunAsync(
        string subscriptionId,
        Func<ReceivedMessage, CancellationToken, Task> handler,
        SubscriberSettings settings,
        CancellationToken stoppingToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subscriptionId);
        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        return new Run(connection, subscriptionId, handler, settings, logger, time).RunAsync(stoppingToken);
    }

    /// <summary>The state of one <see cref="RunAsync"/>.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001",
        Justification = "Handlers that outlive the grace period still release permits and read their token. " +
            "None of these objects ever creates a wait handle or timer here, so there is nothing to free.")]
    private sealed class Run
    {
        // Google's servers close a stream that carries no traffic from the client for a while; Google's
        // clients send an empty request this often to keep it open.
        private static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(30);

        // How long the server may take to end a half-closed stream before the call is cancelled.
        private static readonly TimeSpan HalfCloseTimeout = TimeSpan.FromSeconds(2);

        // How long the final acks and nacks may take to send when stopping.
        private static readonly TimeSpan FinalSendTimeout = TimeSpan.FromSeconds(10);

        private readonly PubSubConnection connection;
        private readonly string subscriptionId;
        private readonly Func<ReceivedMessage, CancellationToken, Task> handler;
        private readonly SubscriberSettings settings;
        private readonly ILogger logger;
        private readonly TimeProvider time;
        private readonly int deadlineSeconds;
        private readonly AckSender acks;
        // One per handler that may run; taken by the dispatcher, returned when the handler ends.
        private readonly SemaphoreSlim permits;

        // One per message that may be held; taken by the stream's reader, returned when the message is settled.
        private readonly SemaphoreSlim held;

        // Messages held and not yet handed to a handler, in the order they arrived.
        private readonly Channel<Lease> waiting = Channel.CreateUnbounded<Lease>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

        // Every message received and not settled, waiting or running: all of them are leased.
        private readonly ConcurrentDictionary<string, Lease> leases = new();
        private readonly ConcurrentDictionary<Lease, Task> running = new();
        private readonly CancellationTokenSource handlerCancellation = new();

        public Run(PubSubConnection connection, string subscriptionId, Func<ReceivedMessage, CancellationToken, Task> handler,
            SubscriberSettings settings, ILogger logger, TimeProvider time)
        {
            this.connection = connection;
            this.subscriptionId = subscriptionId;
            this.handler = handler;
            this.settings = settings;
            this.logger = logger;
            this.time = time;
            deadlineSeconds = (int)settings.AckDeadline.TotalSeconds;
            acks = new AckSender(connection, subscriptionId, settings.AckDeadline, logger);
            permits = new SemaphoreSlim(settings.MaxConcurrentHandlers);
            held = new SemaphoreSlim(settings.HeldMessages);
        }

        public async Task RunAsync(CancellationToken stoppingToken)
        {
            using var stopLeases = new CancellationTokenSource();
            using var abortAcks = new CancellationTokenSource();
            var ackLoop = acks.RunAsync(abortAcks.Token);
            var leaseLoop = ExtendLeasesAsync(stopLeases.Token);
            using var stopDispatch = new CancellationTokenSource();
            var dispatchLoop = DispatchAsync(stopDispatch.Token);

            ExceptionDispatchInfo? failure = null;
            try
            {
                await ReceiveAsync(stoppingToken);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
                logger.LogError(ex, "Receiving from {Subscription} failed permanently; stopping", subscriptionId);
            }

            // No handler starts after this, so the ones StopHandlersAsync waits for are all there are.
            await stopDispatch.CancelAsync();
            await dispatchLoop;
            await StopHandlersAsync();

            await stopLeases.CancelAsync();
            await leaseLoop;
            acks.Complete();
            abortAcks.CancelAfter(FinalSendTimeout);
            try
            {
                await ackLoop;
            }
            catch (OperationCanceledException)
            {
                logger.LogWarning("Final acks of {Subscription} were not all sent within {Timeout}; those messages will be redelivered",
                    subscriptionId, FinalSendTimeout);
            }

            failure?.Throw();
        }

        private async Task ReceiveAsync(CancellationToken stoppingToken)
        {
            var backoff = Backoff.Default();
            // The same id across reconnections lets the server carry the old stream's state over.
            var clientId = Guid.NewGuid().ToString("N");
            while (true)
            {
                var connected = time.GetTimestamp();
                try
                {
                    await PullAsync(clientId, backoff, stoppingToken);
                    logger.LogInformation("The server ended the stream of {Subscription}; reconnecting", subscriptionId);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (RpcException ex) when (Retry.IsTransient(ex.StatusCode) || ex.StatusCode == StatusCode.Cancelled)
                {
                    logger.LogWarning("The stream of {Subscription} failed ({Status}: {Detail}); reconnecting",
                        subscriptionId, ex.StatusCode, ex.Status.Detail);
                }
                catch (OperationCanceledException ex)
                {
                    // Not our stop: the call was torn down under us, which is a lost stream like any other.
                    logger.LogWarning("The stream of {Subscription} was cancelled ({Detail}); reconnecting", subscriptionId, ex.Message);
                }

                // Servers close healthy streams now and then; only quick failures in a row should back off further.
                if (time.GetElapsedTime(connected) > HeartbeatInterval)
                {
                    backoff.Reset();
                }

                try
                {
                    await Task.Delay(backoff.Next(), time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private async Task PullAsync(string clientId, Backoff backoff, CancellationToken stoppingToken)
        {
            // Not linked to the stop: stopping half-closes the stream first and cancels it only if the
            // server does not end it in time.
            using var streamEnd = new CancellationTokenSource();
            using var call = connection.SubscriberClient.StreamingPull(cancellationToken: streamEnd.Token);
            try
            {
                await call.RequestStream.WriteAsync(new StreamingPullRequest
                {
                    Subscription = connection.SubscriptionName(subscriptionId),
                    StreamAckDeadlineSeconds = deadlineSeconds,
                    ClientId = clientId,
                    MaxOutstandingMessages = settings.HeldMessages,
                }, stoppingToken);
            }
            catch (Exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A call that failed before its first message (the server is unreachable, say) fails the
                // write with a bare cancellation; the response stream below throws the call's real status.
            }

            using var stopHeartbeat = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var heartbeat = HeartbeatAsync(call.RequestStream, time, stopHeartbeat.Token);
            // On stop the stream is half-closed, not cancelled: the emulator forgets a stream only when
            // the client half-closes it. A cancelled (or killed) stream stays on its list and keeps
            // being sent messages that nobody reads, each delayed by an ack deadline or more
            // (docs/pubsub-wire.md). Reading on until the server ends the stream also means nothing it
            // sent is lost unseen: what arrives after the stop is nacked with the rest.
            using var closing = stoppingToken.Register(() => _ = HalfCloseAsync(call.RequestStream, heartbeat, streamEnd));
            try
            {
                await foreach (var response in call.ResponseStream.ReadAllAsync(streamEnd.Token))
                {
                    backoff.Reset();
                    var received = response.ReceivedMessages.Select(m => new Lease(m)).ToList();
                    // Leased before they wait for a place or a handler, so their deadlines are extended while
                    // they wait (and they are nacked if the subscriber stops first).
                    received.ForEach(lease => leases[lease.Message.AckId] = lease);
                    foreach (var lease in received)
                    {
                        // Waiting here (the server sent more than it was allowed) also stops reading the
                        // stream: HTTP/2 flow control then holds the server back.
                        if (!await TryTakeAsync(held, stoppingToken))
                        {
                            break;
                        }

                        waiting.Writer.TryWrite(lease); // unbounded: always accepted
                    }
                }
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested && TryGetStatus(call, out var status))
            {
                // grpc-dotnet can surface a call that never connected as a bare cancellation; its status says why.
                throw new RpcException(status);
            }
            catch (RpcException ex) when (stoppingToken.IsCancellationRequested && ex.StatusCode == StatusCode.Cancelled)
            {
                // The half-close timed out and the call was cancelled: the stop goes on.
            }
            finally
            {
                await stopHeartbeat.CancelAsync();
                await heartbeat;
                await streamEnd.CancelAsync();
            }

            stoppingToken.ThrowIfCancellationRequested();
        }

        private static async Task<bool> TryTakeAsync(SemaphoreSlim semaphore, CancellationToken stoppingToken)
        {
            try
            {
                await semaphore.WaitAsync(stoppingToken);
                return true;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return false; // stopping: the lease stays unstarted and is nacked
            }
        }

        /// <summary>Hands the waiting messages to handlers in the order they arrived, as handlers come free.</summary>
        private async Task DispatchAsync(CancellationToken stopToken)
        {
            try
            {
                await foreach (var lease in waiting.Reader.ReadAllAsync(stopToken))
                {
                    if (!await TryTakeAsync(permits, stopToken))
                    {
                        return;
                    }

                    Start(lease);
                }
            }
            catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
            {
                // Stopping: the leases still waiting are nacked by StopHandlersAsync.
            }
        }

        private async Task HalfCloseAsync(IClientStreamWriter<StreamingPullRequest> requests, Task heartbeat, CancellationTokenSource streamEnd)
        {
            // One writer at a time on a gRPC stream: the heartbeat (cancelled by the same stop) goes first.
            await heartbeat;
            try
            {
                await requests.CompleteAsync();
                logger.LogDebug("Half-closed the stream of {Subscription}; waiting for the server to end it", subscriptionId);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or OperationCanceledException)
            {
                // The stream is already gone.
            }

            try
            {
                streamEnd.CancelAfter(HalfCloseTimeout);
            }
            catch (ObjectDisposedException)
            {
                // The stream ended before the half-close finished.
            }
        }

        private static bool TryGetStatus(AsyncDuplexStreamingCall<StreamingPullRequest, StreamingPullResponse> call, out Status status)
        {
            try
            {
                status = call.GetStatus();
                return status.StatusCode != StatusCode.OK;
            }
            catch (InvalidOperationException)
            {
                status = default;
                return false; // the call has not finished; the caller treats the cancellation as a lost stream
            }
        }

        private void Start(Lease lease)
        {
            if (!lease.TryStart())
            {
                permits.Release();
                return;
            }

            var task = Task.Run(() => HandleAsync(lease));
            running[lease] = task;
            // Removed after it was added, however soon the handler finishes.
            _ = task.ContinueWith(_ => running.TryRemove(lease, out Task? _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async Task HandleAsync(Lease lease)
        {
            using var activity = PubSubTelemetry.StartProcess(subscriptionId, lease.Message);
            try
            {
                await handler(lease.Message, handlerCancellation.Token);
                _ = Settle(lease, ack: true);
            }
            catch (Exception ex)
            {
                activity.Fail(ex);
                logger.LogWarning(ex, "Handling message {MessageId} of {Subscription} (delivery attempt {Attempt}) failed; nacking it",
                    lease.Message.Message?.MessageId, subscriptionId, lease.Message.DeliveryAttempt);
                _ = Settle(lease, ack: false);
            }
            finally
            {
                permits.Release();
            }
        }

        /// <summary>Acks or nacks, unless the message was settled already; only the first of the handler and the shutdown counts.</summary>
        private bool Settle(Lease lease, bool ack)
        {
            if (!lease.TrySettle())
            {
                return false;
            }

            leases.TryRemove(lease.Message.AckId, out _);
            held.Release();
            if (ack)
            {
                acks.Ack(lease.Message.AckId);
            }
            else
            {
                acks.Nack(lease.Message.AckId);
            }

            return true;
        }

        private async Task StopHandlersAsync()
        {
            // Messages still waiting for a handler go back at once, for another subscriber to take.
            foreach (var lease in leases.Values.Where(l => !l.HasStarted))
            {
                _ = Settle(lease, ack: false);
            }

            var inFlight = running.Values.ToArray();
            if (inFlight.Length > 0)
            {
                logger.LogInformation("Stopping {Subscription}: waiting up to {Grace} for {Count} handler(s)",
                    subscriptionId, settings.ShutdownGracePeriod, inFlight.Length);
                await Task.WhenAny(Task.WhenAll(inFlight), Task.Delay(settings.ShutdownGracePeriod, time));
            }

            await handlerCancellation.CancelAsync();
            foreach (var lease in leases.Values)
            {
                if (Settle(lease, ack: false))
                {
                    logger.LogWarning("Handling message {MessageId} of {Subscription} outlived the shutdown grace period; nacked it",
                        lease.Message.Message?.MessageId, subscriptionId);
                }
            }
        }

        private async Task ExtendLeasesAsync(CancellationToken cancellationToken)
        {
            // Half the deadline: one extension may be late or fail once before the message is redelivered.
            using var timer = new PeriodicTimer(settings.AckDeadline / 2, time);
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    foreach (var lease in leases.Values)
                    {
                        acks.Extend(lease, deadlineSeconds);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        private static async Task HeartbeatAsync(
            IClientStreamWriter<StreamingPullRequest> requests, TimeProvider time, CancellationToken cancellationToken)
        {
            try
            {
                using var timer = new PeriodicTimer(HeartbeatInterval, time);
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    await requests.WriteAsync(new StreamingPullRequest(), cancellationToken);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or RpcException or InvalidOperationException)
            {
                // The stream ended; its reader reports why.
            }
        }
    }
}

/// <summary>A received message from delivery until it is acked or nacked.</summary>
internal sealed class Lease(ReceivedMessage message)
{
    private const int Waiting = 0, Running = 1, Settled = 2;
    private int state;

    public ReceivedMessage Message { get; } = message;

    public bool HasStarted => Volatile.Read(ref state) != Waiting;

    public bool IsSettled => Volatile.Read(ref state) == Settled;

    /// <summary>False when it was settled (nacked at shutdown) before its handler could start.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref state, Running, Waiting) == Waiting;

    public bool TrySettle() => Interlocked.Exchange(ref state, Settled) != Settled;
}
