using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.PubSub;

internal static class Retry
{
    /// <summary>
    /// The codes Google's client libraries retry for Pub/Sub: the server or the network failed, not
    /// the request. Anything else (NOT_FOUND, PERMISSION_DENIED, INVALID_ARGUMENT…) fails the same way
    /// every time.
    /// </summary>
    public static bool IsTransient(StatusCode code) => code is
        StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or
        StatusCode.Aborted or StatusCode.Internal or StatusCode.Unknown;

    // A cancellation that is not the caller's comes from a call grpc-dotnet tore down (one that could
    // not connect can surface that way): a transport failure like UNAVAILABLE.
    internal static bool IsRetryable(Exception exception) =>
        exception is OperationCanceledException || (exception is RpcException rpc && IsTransient(rpc.StatusCode));

    /// <summary>Runs <paramref name="call"/> until it succeeds, fails permanently, or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<T> UntilCancelledAsync<T>(
        Func<CancellationToken, Task<T>> call, string what, ILogger logger, TimeProvider time, CancellationToken cancellationToken)
    {
        var backoff = Backoff.Default();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception ex) when (IsRetryable(ex) && !cancellationToken.IsCancellationRequested)
            {
                var delay = backoff.Next();
                logger.LogWarning("{What} failed (attempt {Attempt}: {Error}); retrying in {Delay} ms",
                    what, attempt, ex is RpcException rpc ? $"{rpc.StatusCode}: {rpc.Status.Detail}" : ex.Message, (int)delay.TotalMilliseconds);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }
}
