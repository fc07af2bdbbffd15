using System.Net;
using System.Net.Sockets;
using ClusterPlatform.Controllers.Providers;
using ClusterPlatform.PubSub;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// Keeps an event whose handling failed because a dependency is unavailable, instead of nacking it.
/// An unavailable Api or provider is not a poison message: a nack is redelivered at once by the
/// emulator (and after at most 60 s by Cloud Pub/Sub), so an outage of a minute spent the five
/// delivery attempts and dead-lettered healthy events. Held, the handler is tried again
/// in-process with jittered exponential backoff while the subscriber goes on extending the message's
/// lease (its handler is still running), so the delivery attempt is not spent. After
/// <see cref="ControllerOptions.HoldUnavailableFor"/> it gives up and the message is nacked as before.
/// A held message keeps its handler's slot, so holds never exceed <see cref="ControllerOptions.MaxConcurrency"/>.
/// </summary>
internal sealed class UnavailableDependencyHold(TimeSpan bound, ILogger logger, TimeProvider time)
{
    /// <summary>The first retry comes after about this long (half to all of it)…</summary>
    public static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(1);

    /// <summary>…and the delay doubles up to this, so a recovered dependency is noticed within it.</summary>
    public static readonly TimeSpan LongestRetry = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Whether <paramref name="exception"/> says a dependency did not answer, rather than that this
    /// event cannot be handled: the Api refused or reset the connection, timed out (HttpClient's
    /// timeout, or the resilience pipeline's timeout or open circuit), or answered 502, 503, 504 or
    /// 429; or a provider call failed transiently (<see cref="ProviderException.Transient"/>).
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        ProviderException provider => provider.Transient,
        HttpRequestException { StatusCode: { } status } => status is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout or HttpStatusCode.TooManyRequests,
        // No status: no answer at all. A TLS or proxy failure is left out; it is configuration, not an outage.
        HttpRequestException http => http.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
            or HttpRequestError.ResponseEnded || http.InnerException is IOException or SocketException,
        // The connection broke while the response body was read.
        HttpIOException => true,
        TimeoutRejectedException or BrokenCircuitException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="handle"/> until it succeeds, fails for another reason, the bound passes, or
    /// <paramref name="stopping"/> fires; in all but the first case the failure is thrown, so the
    /// message is nacked. Logs once at Information when the hold starts and once when it ends.
    /// </summary>
    public async Task RunAsync(Func<Task> handle, string what, CancellationToken stopping)
    {
        var backoff = new Backoff(FirstRetry, LongestRetry);
        long? heldSince = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await handle();
                if (heldSince is { } since)
                {
                    logger.LogInformation("{What} succeeded after holding it for {Held:0} s ({Attempts} tries); acking it",
                        what, time.GetElapsedTime(since).TotalSeconds, attempt);
                }

                return;
            }
            catch (Exception ex) when (IsUnavailable(ex) && !stopping.IsCancellationRequested)
            {
                heldSince ??= time.GetTimestamp();
                var held = time.GetElapsedTime(heldSince.Value);
                var delay = backoff.Next();
                if (held + delay > bound)
                {
                    logger.LogInformation("{What}: a dependency is still unavailable after {Held:0} s ({Error}); giving up and nacking it",
                        what, held.TotalSeconds, ex.Message);
                    throw;
                }

                if (attempt == 1)
                {
                    logger.LogInformation("{What}: a dependency is unavailable ({Error}); holding the message and retrying for up to {Bound}",
                        what, ex.Message, bound);
                }
                else
                {
                    logger.LogDebug("{What}: try {Attempt} failed ({Error}); retrying in {Delay} ms", what, attempt, ex.Message, (int)delay.TotalMilliseconds);
                }

                if (!await WaitAsync(delay, stopping))
                {
                    // Stopping: hand the message back at once rather than spend the shutdown grace period
                    // waiting; the subscriber nacks it with this failure, for another replica to take.
                    logger.LogInformation("{What}: stopping; releasing the message held for {Held:0} s", what, held.TotalSeconds);
                    throw;
                }
            }
            catch (Exception) when (heldSince is { } since)
            {
                logger.LogInformation("{What}: no longer held after {Held:0} s (it failed otherwise, or the controller is stopping); nacking it",
                    what, time.GetElapsedTime(since).TotalSeconds);
                throw;
            }
        }
    }

    /// <summary>False when <paramref name="stopping"/> fired first.</summary>
    private async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stopping)
    {
        try
        {
            await Task.Delay(delay, time, stopping);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
