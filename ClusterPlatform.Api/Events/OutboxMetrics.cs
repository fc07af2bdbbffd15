using System.Diagnostics.Metrics;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// OpenTelemetry metrics of the event pipeline (meter <c>ClusterPlatform.Events</c>): the outbox
/// backlog, publish latency, commit-to-publish delay, events published and publish failures.
/// </summary>
internal sealed class OutboxMetrics : IDisposable
{
    public const string MeterName = "ClusterPlatform.Events";

    private readonly Meter meter;
    private readonly Histogram<double> publishDuration;
    private readonly Histogram<double> eventDelay;
    private readonly Counter<long> published;
    private readonly Counter<long> failures;
    private readonly Counter<long> scheduled;

    public OutboxMetrics(IMeterFactory meters, NpgsqlDataSource dataSource)
    {
        meter = meters.Create(MeterName);
        publishDuration = meter.CreateHistogram<double>("outbox.publish.duration", "ms", "Time to publish one claimed batch to Pub/Sub");
        eventDelay = meter.CreateHistogram<double>("outbox.event.delay", "ms", "Time from an event's commit to its publish");
        published = meter.CreateCounter<long>("outbox.published", "{event}", "Events published to Pub/Sub");
        failures = meter.CreateCounter<long>("outbox.publish.failures", "{failure}", "Failed relay attempts (events stay queued)");
        scheduled = meter.CreateCounter<long>("reconcile.scheduled", "{event}", "cluster.reconcile events queued by the scheduler");
        // Read on collection only (every export interval), bounded so a huge backlog stays cheap to count.
        meter.CreateObservableGauge("outbox.backlog", () => Backlog(dataSource), "{event}", "Unpublished outbox rows (counted up to 100,000)");
    }

    public void Published(int count, TimeSpan duration, IEnumerable<TimeSpan> delays)
    {
        published.Add(count);
        publishDuration.Record(duration.TotalMilliseconds);
        foreach (var delay in delays)
        {
            eventDelay.Record(Math.Max(0, delay.TotalMilliseconds));
        }
    }

    public void PublishFailed() => failures.Add(1);

    public void Scheduled(int count) => scheduled.Add(count);

    private static IEnumerable<Measurement<long>> Backlog(NpgsqlDataSource dataSource)
    {
        long count;
        try
        {
            using var command = dataSource.CreateCommand("SELECT count(*) FROM (SELECT 1 FROM outbox WHERE published_at IS NULL LIMIT 100000) AS backlog");
            count = (long)command.ExecuteScalar()!;
        }
        catch (NpgsqlException)
        {
            yield break; // no reading while the database is unreachable; the health check reports that
        }

        yield return new Measurement<long>(count);
    }

    public void Dispose() => meter.Dispose();
}
