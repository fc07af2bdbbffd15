using ClusterPlatform.Api.Events;
using ClusterPlatform.PubSub;
using Npgsql;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// Makes Pub/Sub's at-least-once delivery happen every time for one cluster (or, with no cluster,
/// for every event written after the duplicator starts): each event, once the Api's relay has
/// published it, is published again as the same message (same event id, same body), so every
/// controller receives it twice, at moments the flow does not choose.
/// </summary>
internal sealed class EventDuplicator : IAsyncDisposable
{
    private readonly NpgsqlDataSource database;
    private readonly PubSubConnection connection;
    private readonly PubSubPublisher publisher;
    private readonly Guid? clusterId;
    private readonly DateTime since = DateTime.UtcNow;
    private readonly HashSet<Guid> republished = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public EventDuplicator(string connectionString, Uri emulator, Guid? clusterId = null)
    {
        database = NpgsqlDataSource.Create(connectionString);
        connection = new PubSubConnection(new PubSubOptions { ProjectId = ResourceNames.LocalPubSubProject, EmulatorHost = emulator.Authority });
        publisher = new PubSubPublisher(connection);
        this.clusterId = clusterId;
        loop = Task.Run(RunAsync);
    }

    /// <summary>How many of the cluster's events have been published a second time.</summary>
    public int Republished
    {
        get
        {
            lock (republished)
            {
                return republished.Count;
            }
        }
    }

    /// <summary>How many events the cluster has, and whether every one is published twice by now.</summary>
    public async Task<(long Events, bool AllTwice)> ProgressAsync(CancellationToken cancellationToken)
    {
        await using var command = database.CreateCommand("SELECT count(*), count(*) FILTER (WHERE published_at IS NULL) FROM outbox WHERE cluster_id = $1");
        command.Parameters.AddWithValue(clusterId ?? throw new InvalidOperationException("Progress is counted for one cluster's events."));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var (events, unpublished) = (reader.GetInt64(0), reader.GetInt64(1));
        return (events, unpublished == 0 && Republished == events);
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await using var command = database.CreateCommand(
                    "SELECT id, type, cluster_id, node_pool_id, generation, occurred_at, traceparent FROM outbox " +
                    "WHERE (cluster_id = $1 OR ($1::uuid IS NULL AND occurred_at >= $2)) AND published_at IS NOT NULL");
                command.Parameters.Add(new NpgsqlParameter { Value = (object?)clusterId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
                command.Parameters.AddWithValue(since);
                var rows = new List<OutboxRow>();
                await using (var reader = await command.ExecuteReaderAsync(stop.Token))
                {
                    while (await reader.ReadAsync(stop.Token))
                    {
                        rows.Add(new OutboxRow(reader.GetGuid(0), reader.GetString(1), reader.GetGuid(2), reader.IsDBNull(3) ? null : reader.GetGuid(3),
                            reader.GetInt64(4), reader.GetDateTime(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
                    }
                }

                var fresh = rows.Where(row => { lock (republished) { return !republished.Contains(row.Id); } }).ToList();
                if (fresh.Count > 0)
                {
                    await publisher.PublishAsync(new PubSubOptions().Topic, [.. fresh.Select(EventMessages.ToMessage)], stop.Token);
                    lock (republished)
                    {
                        fresh.ForEach(row => republished.Add(row.Id));
                    }
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        await loop;
        await publisher.DisposeAsync();
        connection.Dispose();
        await database.DisposeAsync();
        stop.Dispose();
    }
}
