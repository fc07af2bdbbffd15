using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>
/// "Look at this cluster again in a while", in process, as controller-runtime's RequeueAfter does.
/// A controller waiting on something outside (HyperShift bringing a control plane up, or its
/// finalizers) reports what it waits for, acks the event, and comes back here; nacking instead
/// would burn the event's five delivery attempts in seconds on the emulator and dead-letter it. If
/// the process stops first, the Api's reconcile sweep of clusters that are not Ready covers it.
/// At most one wait per controller and cluster: an event that arrives meanwhile does not start a
/// second chain, and a requeued look that fails (a transient provider failure) is scheduled again.
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
            return; // a wait is already pending; it will read the latest state when it runs
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(delay, time, stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return; // stopping: the sweep takes over
            }

            // Released before the look, so the look itself may schedule the next wait.
            pending.TryRemove((controller, clusterId), out _);
            try
            {
                await handle(stopping.Token);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // stopping: the sweep takes over
            }
            catch (Exception e)
            {
                logger.LogWarning("{Controller}: requeued reconcile of cluster {ClusterId} failed ({Failure}); looking again in {Delay}",
                    controller, clusterId, e.Message, delay);
                Schedule(controller, clusterId, delay, handle);
            }
        });
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
    }
}
