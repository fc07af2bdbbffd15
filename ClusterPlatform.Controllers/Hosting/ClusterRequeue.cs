using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// "Look at this cluster again in a while", in process, as controller-runtime's RequeueAfter does.
/// A controller waiting on something outside (HyperShift's finalizers) reports what it waits for,
/// acks the event, and comes back here; nacking instead would burn the event's five delivery
/// attempts in seconds on the emulator and dead-letter it. If the process stops first, the Api's
/// reconcile sweep of clusters that are not Ready covers it. One pending requeue per controller and cluster.
/// </summary>
internal sealed class ClusterRequeue(IOptions<ControllerOptions> options, TimeProvider time, ILogger<ClusterRequeue> logger) : IDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<(string Controller, Guid Cluster), bool> pending = new();

    /// <summary>The configured delay (<c>Controllers:RequeueAfter</c>).</summary>
    public TimeSpan Delay => options.Value.RequeueAfter;

    public void Schedule(string controller, Guid clusterId, TimeSpan delay, Func<CancellationToken, Task> handle)
    {
        if (!pending.TryAdd((controller, clusterId), true))
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, stopping.Token);
                pending.TryRemove((controller, clusterId), out _);
                await handle(stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // stopping: the sweep takes over
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "{Controller}: requeued reconcile of cluster {ClusterId} failed; the reconcile sweep retries it", controller, clusterId);
            }
            finally
            {
                pending.TryRemove((controller, clusterId), out _);
            }
        });
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
