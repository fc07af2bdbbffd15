using Grpc.Core;

namespace ClusterPlatform.PubSub;

/// <summary>Telling an outage of Pub/Sub from a failure of the request itself.</summary>
public static class PubSubErrors
{
    /// <summary>
    /// Whether Pub/Sub or the network failed rather than the request: one of the codes Google's
    /// client libraries retry, or a call grpc-dotnet tore down (<see cref="OperationCanceledException"/>
    /// that is not the caller's; the caller knows its own token).
    /// </summary>
    public static bool IsTransient(Exception exception) => Retry.IsRetryable(exception);

    /// <summary>
    /// Whether a transient failure says only that Pub/Sub answered too slowly (its deadline passed,
    /// or it pushed back with RESOURCE_EXHAUSTED), not that it went away: a server that is paused,
    /// starved of CPU or overloaded keeps its state, so what it held still exists. A server that
    /// went away (a restart, which the emulator forgets everything across) closes its connections
    /// and refuses new ones, which surfaces as UNAVAILABLE or a torn-down call, never as a slow one.
    /// </summary>
    public static bool IsSlow(Exception exception) =>
        exception is RpcException { StatusCode: StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted };

    /// <summary>
    /// Runs one call with a deadline <paramref name="timeout"/> from now and reports a deadline that
    /// passed as <c>DEADLINE_EXCEEDED</c>. The channel throws <see cref="OperationCanceledException"/>
    /// for a passed deadline as for a cancelled token (<c>ThrowOperationCanceledOnCancellation</c>,
    /// see <see cref="PubSubConnection"/>), which would read as a torn-down call, a sign that the
    /// server went away, where it is one that was only slow (<see cref="IsSlow"/>).
    /// </summary>
    internal static async Task<T> WithDeadline<T>(Func<DateTime, Task<T>> call, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        try
        {
            return await call(deadline);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && DateTime.UtcNow >= deadline)
        {
            throw new RpcException(new Status(StatusCode.DeadlineExceeded, $"No answer within {timeout.TotalSeconds:0.#} s."));
        }
    }

    /// <summary>
    /// <paramref name="attempt"/>, reporting each failure that <see cref="Retry"/> retries to
    /// <paramref name="report"/> before it propagates, so a caller sees the outages of a call that in
    /// the end succeeded: it may have reached a server that lost its state meanwhile (the emulator
    /// forgets every topic and subscription when it restarts). Permanent failures and the caller's
    /// own cancellation are not reported.
    /// </summary>
    internal static Func<CancellationToken, Task<T>> ReportingFailures<T>(Func<CancellationToken, Task<T>> attempt, Action<Exception> report) =>
        async token =>
        {
            try
            {
                return await attempt(token);
            }
            catch (Exception e) when (Retry.IsRetryable(e) && !token.IsCancellationRequested)
            {
                report(e);
                throw;
            }
        };
}
