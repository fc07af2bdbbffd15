using System.Threading.Channels;
using ClusterPlatform.PubSub.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.PubSub;

/// <summary>
/// Sends acks, nacks and lease extensions as unary Acknowledge and ModifyAckDeadline calls, merging
/// whatever is queued into one request per kind. Unary calls work whatever state the stream is in,
/// including between reconnections and after it closed during a graceful stop, and their failures
/// are visible (a stream write only fails the whole stream).
/// </summary>
internal sealed class AckSender(PubSubConnection connection, string subscriptionId, TimeSpan giveUpAfter, ILogger logger)
{
    // Google's clients send at most this many ids per request, well under the 512 KiB request limit.
    private const int MaxIdsPerRequest = 2500;
    private const int AckMarker = -1;

    private readonly Channel<Operation> queue = Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string subscription = connection.SubscriptionName(subscriptionId);

    public void Ack(string ackId) => queue.Writer.TryWrite(new Operation(ackId, AckMarker, null));

    /// <summary>A deadline of 0 s: the message is redelivered at once (and counts as a delivery attempt).</summary>
    public void Nack(string ackId) => queue.Writer.TryWrite(new Operation(ackId, 0, null));

    /// <summary>Extends the lease unless the message is settled by the time the request goes out.</summary>
    public void Extend(Lease lease, int seconds) => queue.Writer.TryWrite(new Operation(lease.Message.AckId, seconds, lease));

    /// <summary>Nothing more will be queued; <see cref="RunAsync"/> returns once the queue is sent.</summary>
    public void Complete() => queue.Writer.TryComplete();

    public async Task RunAsync(CancellationToken abort)
    {
        var pending = new Dictionary<int, List<string>>();
        while (await queue.Reader.WaitToReadAsync(abort))
        {
            var count = 0;
            while (count < MaxIdsPerRequest && queue.Reader.TryRead(out var operation))
            {
                // An extension of a message that was settled meanwhile would undo a nack.
                if (operation.Lease is { IsSettled: true })
                {
                    continue;
                }

                if (!pending.TryGetValue(operation.Seconds, out var ids))
                {
                    pending[operation.Seconds] = ids = [];
                }

                ids.Add(operation.AckId);
                count++;
            }

            foreach (var (seconds, ids) in pending)
            {
                await SendAsync(seconds, ids, abort);
            }

            pending.Clear();
        }
    }

    private async Task SendAsync(int seconds, List<string> ackIds, CancellationToken abort)
    {
        // An ack id is worthless once its deadline passed: the message is redelivered anyway.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(abort);
        timeout.CancelAfter(giveUpAfter);
        var what = seconds == AckMarker ? "Acknowledging" : seconds == 0 ? "Nacking" : "Extending the lease of";
        try
        {
            await Retry.UntilCancelledAsync<object?>(async token =>
            {
                if (seconds == AckMarker)
                {
                    await connection.SubscriberClient.AcknowledgeAsync(
                        new AcknowledgeRequest { Subscription = subscription, AckIds = { ackIds } }, cancellationToken: token);
                }
                else
                {
                    await connection.SubscriberClient.ModifyAckDeadlineAsync(
                        new ModifyAckDeadlineRequest { Subscription = subscription, AckIds = { ackIds }, AckDeadlineSeconds = seconds },
                        cancellationToken: token);
                }

                return null;
            }, $"{what} {ackIds.Count} message(s) of {subscriptionId}", logger, TimeProvider.System, timeout.Token);
        }
        catch (OperationCanceledException) when (!abort.IsCancellationRequested)
        {
            logger.LogWarning("{What} {Count} message(s) of {Subscription} gave up after {Timeout}; they will be redelivered",
                what, ackIds.Count, subscriptionId, giveUpAfter);
        }
        catch (RpcException ex)
        {
            logger.LogWarning(ex, "{What} {Count} message(s) of {Subscription} failed; they will be redelivered",
                what, ackIds.Count, subscriptionId);
        }
    }

    private readonly record struct Operation(string AckId, int Seconds, Lease? Lease);
}
