using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace ClusterPlatform.Controllers.Hosting;

/// <summary>Per-controller metrics (meter <c>ClusterPlatform.Controllers</c>): messages handled, failures and handling time.</summary>
public sealed class ControllerMetrics : IDisposable
{
    public const string MeterName = "ClusterPlatform.Controllers";

    private readonly Meter meter;
    private readonly Counter<long> handled;
    private readonly Counter<long> failed;
    private readonly Histogram<double> duration;

    public ControllerMetrics(IMeterFactory meters)
    {
        meter = meters.Create(MeterName);
        handled = meter.CreateCounter<long>("controller.messages.handled", "{message}", "Events a controller handled and acked");
        failed = meter.CreateCounter<long>("controller.messages.failed", "{message}", "Events whose handling failed (nacked for redelivery)");
        duration = meter.CreateHistogram<double>("controller.handling.duration", "ms", "Time to handle one event");
    }

    /// <summary>Times <paramref name="handle"/> and counts its outcome under the controller's name.</summary>
    public async Task MeasureAsync(string controller, Func<Task> handle)
    {
        var tag = new KeyValuePair<string, object?>("controller", controller);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await handle();
            handled.Add(1, tag);
        }
        catch
        {
            failed.Add(1, tag);
            throw;
        }
        finally
        {
            duration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tag);
        }
    }

    public void Dispose() => meter.Dispose();
}
