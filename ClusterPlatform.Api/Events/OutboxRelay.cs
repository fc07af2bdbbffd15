using System.Diagnostics;
using ClusterPlatform.Contracts;
using ClusterPlatform.PubSub;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// Publishes committed outbox rows to the cluster events topic. It wakes on the NOTIFY that
/// <see cref="OutboxSignal"/> sends after each event-writing commit, and polls as a fallback; it
/// claims batches with <c>FOR UPDATE SKIP LOCKED</c>, so
/// relays in several Api replicas share the work without publishing a row twice in normal operation,
/// and marks rows published in the same transaction. A row whose publish fails stays unpublished and
/// is retried with backoff: nothing committed is lost while Pub/Sub is down. Delivery is
/// at-least-once (a crash between publish and commit republishes), which controllers tolerate
/// because they act on the state they read, not on the event.
/// </summary>
internal sealed class OutboxRelay(
    NpgsqlDataSource dataSource,
    PubSubPublisher publisher,
    EventTopology topology,
    OutboxMetrics metrics,
    IOptions<OutboxOptions> options,
    ILogger<OutboxRelay> logger,
    TimeProvider time) : BackgroundService
{
    private const string Channel = OutboxSignal.Channel;
    private static readonly TimeSpan PurgeInterval = TimeSpan.FromMinutes(1);

    private readonly OutboxOptions settings = options.Value;
    private readonly SemaphoreSlim wake = new(0, 1);
    private DateTime nextPurge;

    // Relay loops per process. With one, every event that committed during a publish waited for that
    // publish, its marking commit and then a publish of its own. With two, a wake-up during one loop's
    // publish is taken at once by the other (SKIP LOCKED keeps their batches apart).
    private const int Loops = 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = Task.Run(() => ListenAsync(stoppingToken), stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, Loops).Select(loop => Task.Run(() => RelayLoopAsync(purges: loop == 0, stoppingToken), stoppingToken)));
    }

    private async Task RelayLoopAsync(bool purges, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await topology.EnsureAsync(stoppingToken);
                while (await RelayBatchAsync(stoppingToken) == settings.BatchSize)
                {
                    // A full batch: there may be more, so go again at once.
                }

                if (purges)
                {
                    await PurgeAsync(stoppingToken);
                }

                failures = 0;
                await WaitForWorkAsync(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                metrics.PublishFailed();
                var delay = Backoff(failures);
                if (e is RpcException { StatusCode: StatusCode.NotFound })
                {
                    // The emulator forgets everything on restart: create the topic and subscriptions again.
                    topology.Invalidate();
                }

                logger.LogWarning(e, "Outbox relay failed (attempt {Attempt}); unpublished events stay queued, retrying in {Delay}", failures, delay);
                await WaitForWorkAsync(delay, stoppingToken, ignoreWakeUps: true);
            }
        }
    }

    /// <summary>Claims up to a batch of unpublished rows, publishes them and marks them, in one transaction.</summary>
    private async Task<int> RelayBatchAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rows = new List<OutboxRow>(settings.BatchSize);
        await using (var claim = new NpgsqlCommand("""
            SELECT id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent
            FROM outbox
            WHERE published_at IS NULL
            ORDER BY occurred_at
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            claim.Parameters.AddWithValue("batch", settings.BatchSize);
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add(new OutboxRow(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3),
                    reader.GetInt64(4), reader.GetDateTime(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
            }
        }

        if (rows.Count == 0)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
        {
            // Bounded, so rows are not held locked through a long outage; they are retried instead.
            timeout.CancelAfter(settings.PublishTimeout);
            var epoch = topology.Epoch;
            await publisher.PublishAsync(topology.Topic, rows.Select(EventMessages.ToMessage).ToList(), timeout.Token);
            if (topology.Epoch != epoch)
            {
                // The other relay loop found the topology gone (the emulator restarted) while this
                // publish was retrying: it may have landed on the re-created topic before its
                // subscriptions existed, where Pub/Sub keeps nothing. Leave the rows unpublished;
                // they go again once the topology is back (a duplicate at worst, never a loss).
                throw new InvalidOperationException("The Pub/Sub topology was re-created while this batch was being published; it is published again.");
            }
        }

        await using (var mark = new NpgsqlCommand("UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY(@ids)", connection, transaction))
        {
            mark.Parameters.AddWithValue("ids", rows.Select(r => r.Id).ToArray());
            await mark.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        metrics.Published(rows.Count, Stopwatch.GetElapsedTime(started), rows.Select(r => now - r.OccurredAt));
        logger.LogDebug("Published {Count} event(s)", rows.Count);
        return rows.Count;
    }

    private async Task PurgeAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (now < nextPurge)
        {
            return;
        }

        nextPurge = now + PurgeInterval;
        await using var purge = dataSource.CreateCommand("DELETE FROM outbox WHERE published_at < now() - @retention");
        purge.Parameters.AddWithValue("retention", settings.Retention);
        var purged = await purge.ExecuteNonQueryAsync(ct);
        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} published outbox row(s) older than {Retention}", purged, settings.Retention);
        }
    }

    /// <summary>Holds a LISTEN connection and turns each NOTIFY into a wake-up; reconnects when it drops.</summary>
    private async Task ListenAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, _) => Wake();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(ct);
                }

                failures = 0;
                Wake(); // anything committed while not listening
                while (!ct.IsCancellationRequested)
                {
                    await connection.WaitAsync(ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                logger.LogWarning(e, "Outbox LISTEN connection lost; polling every {Interval} until it is back", settings.PollInterval);
                await Task.Delay(Backoff(failures), time, ct);
            }
        }
    }

    private void Wake()
    {
        try
        {
            wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake: one pending wake-up drains everything.
        }
    }

    private async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken ct, bool ignoreWakeUps = false)
    {
        if (ignoreWakeUps)
        {
            await Task.Delay(timeout, time, ct);
            return;
        }

        await wake.WaitAsync(timeout, ct);
    }

    private TimeSpan Backoff(int failures)
    {
        var exponential = TimeSpan.FromMilliseconds(200 * Math.Pow(2, Math.Min(failures - 1, 10)));
        var capped = exponential < settings.MaxBackoff ? exponential : settings.MaxBackoff;
        return capped * (0.8 + (Random.Shared.NextDouble() * 0.4));
    }

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
