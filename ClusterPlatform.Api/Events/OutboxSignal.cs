namespace ClusterPlatform.Api.Events;

/// <summary>
/// Wakes the outbox relays (their LISTEN on <c>outbox</c>) after a write that queued events has committed.
/// <para>
/// The NOTIFY is sent in a transaction of its own, after the write, and that transaction does not wait
/// for its commit record to reach disk. A NOTIFY inside the write itself (the trigger this replaced)
/// makes PostgreSQL hold one database-wide lock from the write's commit until its WAL flush, so every
/// event-writing transaction committed alone, one fsync after another: creates stopped scaling with
/// clients at about one per fsync (a few hundred a second), however many clients wrote. Here the
/// lock is held for microseconds, and the writes commit together again.
/// </para>
/// <para>
/// Losing the signal is harmless: the write is already durable, and the relays' polling finds it.
/// So a failure is logged and swallowed rather than failing a request whose change has committed.
/// </para>
/// </summary>
internal static class OutboxSignal
{
    public const string Channel = "outbox";

    private const string Notify = $"BEGIN; SET LOCAL synchronous_commit = off; NOTIFY {Channel}; COMMIT";

    /// <summary>On a connection that is open and outside a transaction (after the write's commit).</summary>
    public static async Task SendAsync(NpgsqlConnection connection, ILogger logger)
    {
        try
        {
            await using var command = new NpgsqlCommand(Notify, connection);
            // Not the request's token: the write has committed, and a cancelled request still deserves its event promptly.
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            logger.LogWarning(e, "Could not signal the outbox relays; they will find the committed events when they next poll");
        }
    }

    public static async Task SendAsync(NpgsqlDataSource dataSource, ILogger logger)
    {
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await SendAsync(connection, logger);
        }
        catch (NpgsqlException e)
        {
            logger.LogWarning(e, "Could not signal the outbox relays; they will find the committed events when they next poll");
        }
    }
}
