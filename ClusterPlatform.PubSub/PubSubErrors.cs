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
