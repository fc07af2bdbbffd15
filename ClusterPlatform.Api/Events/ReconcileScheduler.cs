using System.Diagnostics;

namespace ClusterPlatform.Api.Events;

/// <summary>
/// The level-based safety net: queues <c>cluster.reconcile</c> for clusters that are not Ready and
/// have not changed for <see cref="ReconcileOptions.NotReadyAfter"/>, and for Ready clusters not
/// reconciled for <see cref="ReconcileOptions.ReadyAfter"/>, or for <see cref="ReconcileOptions.NotReadyAfter"/>
/// while they have credential requests or revocations pending (a lost event would otherwise leave them
/// waiting until ReadyAfter). Each tick claims due clusters through the
/// <c>next_reconcile_at</c> index with <c>SKIP LOCKED</c> and moves their due time forward in the same
/// statement, so replicas never schedule one cluster twice and a tick's cost does not depend on how
/// many clusters need nothing. The events go through the outbox like any other.
/// </summary>
internal sealed class ReconcileScheduler(
    NpgsqlDataSource dataSource,
    OutboxMetrics metrics,
    IOptions<ReconcileOptions> options,
    ILogger<ReconcileScheduler> logger,
    TimeProvider time) : BackgroundService
{
    public static readonly ActivitySource Activities = new("ClusterPlatform.Api.Reconcile");

    private readonly ReconcileOptions settings = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.TickInterval, time);
        var outage = 0;
        try
        {
            do
            {
                try
                {
                    await TickAsync(stoppingToken);
                    if (outage > 0)
                    {
                        logger.LogInformation("Reconcile scheduler is ticking again after {Ticks} failed tick(s)", outage);
                        outage = 0;
                    }
                }
                catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
                {
                    // An outage fails every tick, once a second: one warning line for it, without a stack trace.
                    outage++;
                    logger.Log(outage == 1 ? LogLevel.Warning : LogLevel.Debug,
                        "Reconcile scheduler tick failed, the database is unavailable ({Error}); retrying every tick", DatabaseErrors.Describe(e));
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogWarning(e, "Reconcile scheduler tick failed; retrying next tick");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One tick: queues a reconcile for every due cluster (up to the batch size) and returns how many.</summary>
    public async Task<int> TickAsync(CancellationToken ct)
    {
        using var activity = Activities.StartActivity("reconcile tick");
        await using var command = dataSource.CreateCommand("""
            WITH due AS (
                SELECT id FROM clusters
                WHERE next_reconcile_at <= now()
                ORDER BY next_reconcile_at
                LIMIT @batch
                FOR UPDATE SKIP LOCKED
            ), scheduled AS (
                UPDATE clusters c
                -- Pending credential work keeps a Ready cluster on the not-ready interval: the request brought
                -- the cluster forward (Credentials/CredentialStore.cs), and this keeps re-driving a lost event.
                SET next_reconcile_at = now() + CASE WHEN c.phase = 'Ready' AND NOT EXISTS (
                        SELECT FROM credentials WHERE cluster_id = c.id AND state = 'Pending' AND expires_at > now()
                        UNION ALL
                        SELECT FROM credential_revocations WHERE cluster_id = c.id AND state = 'Pending')
                    THEN @ready_after ELSE @not_ready_after END
                FROM due
                WHERE c.id = due.id
                RETURNING c.id, c.generation
            ), queued AS (
                -- Not folded into the count (it calls a volatile function): it runs for every scheduled cluster.
                SELECT enqueue_event(@type, id, NULL, generation, @traceparent) FROM scheduled
            )
            SELECT count(*) FROM queued
            """);
        command.Parameters.AddWithValue("type", EventTypes.ClusterReconcile);
        command.Parameters.AddWithValue("batch", settings.BatchSize);
        command.Parameters.AddWithValue("ready_after", settings.ReadyAfter);
        command.Parameters.AddWithValue("not_ready_after", settings.NotReadyAfter);
        command.Parameters.Add(TraceContext.Parameter(activity));
        var count = (int)(long)(await command.ExecuteScalarAsync(ct))!;
        activity?.SetTag("clusters", count);
        if (count > 0)
        {
            await OutboxSignal.SendAsync(dataSource, logger);
            metrics.Scheduled(count);
            logger.LogInformation("Queued cluster.reconcile for {Count} cluster(s)", count);
        }

        return count;
    }
}
