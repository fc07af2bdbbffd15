using System.Diagnostics;
using ClusterPlatform.PubSub;
using Grpc.Core;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// Publishes committed outbox rows to the cluster events topic. It wakes on the NOTIFY that
/// <see cref="OutboxSignal"/> sends after each event-writing commit, and polls as a fallback; it
/// claims batches with <c>FOR UPDATE SKIP LOCKED</c>, so
/// relays in several Api replicas share the work without publishing a row twice in normal operation,
/// and marks rows published in the same transaction. A row whose publish fails stays unpublished and
/// is retried with backoff: nothing committed is lost while Pub/Sub is down. An outage's backoff ends
/// as soon as a probe (every <c>Outbox:ProbeInterval</c>) finds the database or Pub/Sub back, and rows
/// are published only while the whole Pub/Sub topology is verified (<see cref="EventTopology"/>,
/// which a watch here checks every probe interval). Delivery is
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

    // 200 ms doubling to MaxBackoff, ±20 %: the relay loops and the LISTEN connection count their own failures.
    private readonly Backoff retries = new(TimeSpan.FromMilliseconds(200), options.Value.MaxBackoff, minFactor: 0.8, maxFactor: 1.2);
    private readonly SemaphoreSlim wake = new(0, 1);
    private DateTime nextPurge;

    // Relay loops per process. With one, every event that committed during a publish waited for that
    // publish, its marking commit and then a publish of its own. With two, a wake-up during one loop's
    // publish is taken at once by the other (SKIP LOCKED keeps their batches apart).
    private const int Loops = 2;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = Task.Run(() => ListenAsync(stoppingToken), stoppingToken);
        _ = Task.Run(() => WatchTopologyAsync(stoppingToken), stoppingToken);
        await Task.WhenAll(Enumerable.Range(0, Loops).Select(loop => Task.Run(() => RelayLoopAsync(purges: loop == 0, stoppingToken), stoppingToken)));
    }

    private async Task RelayLoopAsync(bool purges, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // The topology watch ensures it, within a probe of Pub/Sub answering again.
                await topology.WhenVerifiedAsync(stoppingToken);
                while (await RelayBatchAsync(stoppingToken) == settings.BatchSize)
                {
                    // A full batch: there may be more, so go again at once.
                }

                if (purges)
                {
                    await PurgeAsync(stoppingToken);
                }

                if (failures > 0)
                {
                    logger.LogInformation("Outbox relay recovered after {Failures} failed attempt(s)", failures);
                }

                failures = 0;
                await WaitForWorkAsync(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (TopologyChangedException e)
            {
                // Not a failure: the rows stay unpublished and go again as soon as the topology is verified.
                logger.LogInformation("{Reason}", e.Message);
            }
            catch (Exception e)
            {
                failures++;
                metrics.PublishFailed();
                var delay = retries.DelayAfter(failures);
                var outage = Classify(e);
                if (outage == Outage.PubSub)
                {
                    // Whatever Pub/Sub lost during the failure (all of it, if the emulator restarted)
                    // is created again before the next publish.
                    topology.Invalidate();
                }

                if (outage == Outage.None)
                {
                    logger.LogWarning(e, "Outbox relay failed (attempt {Attempt}); unpublished events stay queued, retrying in {Delay}", failures, delay);
                }
                else
                {
                    // An outage is expected and needs no stack trace; the first line of each outage is a warning.
                    logger.Log(failures == 1 ? LogLevel.Warning : LogLevel.Debug,
                        "Outbox relay: {Dependency} is unavailable (attempt {Attempt}: {Error}); unpublished events stay queued, retrying within {Delay} or as soon as it answers",
                        outage switch { Outage.Database => "the database", Outage.PubSubSlow => "Pub/Sub (too slow)", _ => "Pub/Sub" }, failures,
                        e switch { RpcException rpc => rpc.Status.ToString(), PublishTooSlowException => e.Message, _ => DatabaseErrors.Describe(e) }, delay);
                }

                await BackOffAsync(outage, delay, stoppingToken);
            }
        }
    }

    private enum Outage
    {
        None,
        Database,
        // Pub/Sub went away (refused or broken calls, NOT_FOUND): the topology is ensured again.
        PubSub,
        // Pub/Sub answered too slowly: nothing suggests it lost anything, so the topology stays verified.
        PubSubSlow,
    }

    /// <summary>Which dependency a relay failure says is unavailable, if any.</summary>
    private static Outage Classify(Exception e) => e switch
    {
        _ when DatabaseErrors.IsUnavailable(e) => Outage.Database,
        // NOT_FOUND: the emulator restarted and forgot the topic. Transient: Google's retryable codes,
        // and the publish timeout (a cancellation that is not the host's).
        RpcException { StatusCode: StatusCode.NotFound } => Outage.PubSub,
        PublishTooSlowException => Outage.PubSubSlow,
        _ when PubSubErrors.IsSlow(e) => Outage.PubSubSlow,
        _ when PubSubErrors.IsTransient(e) => Outage.PubSub,
        _ => Outage.None,
    };

    /// <summary>
    /// Waits out a failure's backoff, cut short as soon as the dependency that failed is back: for
    /// the database, a wake-up (a commit's NOTIFY) or a probe that answers, every
    /// <c>Outbox:ProbeInterval</c>; for Pub/Sub, the topology verified again (the topology watch
    /// probes Pub/Sub as often), or for a Pub/Sub that was only slow, its next answer to the watch's
    /// check. Other failures wait the whole backoff.
    /// </summary>
    private async Task BackOffAsync(Outage outage, TimeSpan delay, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var recovered = outage switch
        {
            Outage.Database => DatabaseBackAsync(stop.Token),
            Outage.PubSub => topology.WhenVerifiedAsync(stop.Token),
            Outage.PubSubSlow => topology.WhenAnsweredAsync(stop.Token),
            _ => Task.Delay(Timeout.InfiniteTimeSpan, time, stop.Token),
        };
        await Task.WhenAny(Task.Delay(delay, time, stop.Token), recovered);
        await stop.CancelAsync();
        await recovered.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        ct.ThrowIfCancellationRequested();
    }

    private async Task DatabaseBackAsync(CancellationToken ct)
    {
        while (!await wake.WaitAsync(settings.ProbeInterval, ct))
        {
            if (await DatabaseAnswersAsync(ct))
            {
                return;
            }
        }
    }

    /// <summary>A <c>SELECT 1</c>: whether the database serves queries again.</summary>
    private async Task<bool> DatabaseAnswersAsync(CancellationToken ct)
    {
        // Twice: the first failure after a restart may be a pooled connection to the server that went away.
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            try
            {
                await using var probe = dataSource.CreateCommand("SELECT 1");
                await probe.ExecuteScalarAsync(ct);
                return true;
            }
            catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
            {
                // Every idle connection in the pool was opened to the server that went away and
                // fails once when next used; dropped, they are opened anew, for requests too.
                dataSource.Clear();
            }
        }

        return false;
    }

    /// <summary>
    /// Looks at the topology every <c>Outbox:ProbeInterval</c>, so that a Pub/Sub outage (and the
    /// empty emulator that may follow it) is noticed even while nothing is published, and re-creates
    /// it as soon as Pub/Sub answers again; that also ends the relay loops' backoff within a probe.
    /// </summary>
    private async Task WatchTopologyAsync(CancellationToken ct)
    {
        var refusals = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                // At once on start: the first check finds the topology missing and ensures it.
                if (await topology.CheckAsync(ct) && !topology.IsVerified)
                {
                    await topology.EnsureAsync(ct);
                }

                refusals = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A permanent failure (a refused permission): nothing is published until it is mended.
                // Logged in full once, then once a minute, rather than every probe.
                if (refusals++ % (int)Math.Max(1, TimeSpan.FromMinutes(1) / settings.ProbeInterval) == 0)
                {
                    logger.LogError(e, "Pub/Sub topology could not be ensured; no events are published until it is. Trying again every {Interval}", settings.ProbeInterval);
                }
            }

            try
            {
                await Task.Delay(settings.ProbeInterval, time, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
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

        if (!topology.TryGetVerified(out var epoch, out var whenLost))
        {
            throw new TopologyChangedException(); // lost since the loop waited for it
        }

        var started = Stopwatch.GetTimestamp();
        // Bounded, so rows are not held locked through a long outage; they are retried instead. And
        // stopped at the first sign that the topology may be lost (a failed attempt of this publish
        // or any other Pub/Sub call): retrying through the outage would only delay the publish that
        // must follow the topology's re-creation anyway.
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct, whenLost))
        {
            timeout.CancelAfter(settings.PublishTimeout);
            try
            {
                await publisher.PublishAsync(topology.Topic, rows.Select(EventMessages.ToMessage).ToList(), timeout.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && whenLost.IsCancellationRequested)
            {
                throw new TopologyChangedException();
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && timeout.IsCancellationRequested)
            {
                // Slow, not lost: the topology stays verified and the rows go again (a duplicate at
                // worst, if this publish still lands), once Pub/Sub answers a check again.
                throw new PublishTooSlowException(settings.PublishTimeout);
            }
        }

        if (topology.Epoch != epoch)
        {
            // A Pub/Sub call failed (this publish's own retried attempts, the other loop's, the
            // topology watch's) or the topology was found incomplete while this publish ran: the
            // emulator may have restarted, and the publish may have landed on a re-created topic
            // before its subscriptions existed, where Pub/Sub keeps nothing. Leave the rows
            // unpublished; they go again once the topology is verified (a duplicate at worst,
            // never a loss).
            throw new TopologyChangedException();
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

                if (failures > 0)
                {
                    logger.LogInformation("Outbox LISTEN connection is back after {Failures} failed attempt(s)", failures);
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
                if (failures == 1)
                {
                    logger.LogWarning("Outbox LISTEN connection lost ({Error}); polling every {Interval} until it is back", DatabaseErrors.Describe(e), settings.PollInterval);
                }

                // Capped at the probe interval: reconnecting is this connection's probe, and a commit
                // right after the database returns should wake the relays, not wait for a poll.
                var delay = retries.DelayAfter(failures);
                await Task.Delay(delay < settings.ProbeInterval ? delay : settings.ProbeInterval, time, ct);
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

    private Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken ct) => wake.WaitAsync(timeout, ct);

    /// <summary>A batch whose publish spanned a possible loss of the topology; it is published again.</summary>
    private sealed class TopologyChangedException()
        : Exception("A Pub/Sub call failed or the topology was found incomplete while a batch was being published; it is published again once the topology is verified.");

    /// <summary>A batch whose publish took longer than <c>Outbox:PublishTimeout</c>; it is published again.</summary>
    private sealed class PublishTooSlowException(TimeSpan timeout)
        : Exception($"the publish took longer than {timeout.TotalSeconds:0.#} s (Outbox:PublishTimeout)");

    public override void Dispose()
    {
        wake.Dispose();
        base.Dispose();
    }
}
