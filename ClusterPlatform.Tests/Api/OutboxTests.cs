using Npgsql;

namespace ClusterPlatform.Tests.Api;

/// <summary>Every committed write leaves exactly its event row in the outbox, in the same transaction; a refused write leaves none.</summary>
public sealed class OutboxTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    [Fact]
    public async Task Create_update_and_delete_each_queue_their_event_with_the_new_generation()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("ev"));
        var id = Guid.Parse(cluster["id"].Text());
        var href = cluster["href"].Text();
        var pool = await client.CreateNodePoolAsync(id.ToString());
        using (await client.PatchAsync(href, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = "fast" } } }, "application/merge-patch+json")))
        {
        }

        using (await client.DeleteAsync(href))
        {
        }

        var events = await EventsAsync(id);
        Assert.Equal(
            [
                ("cluster.created", (Guid?)null, 1L),
                ("nodepool.created", Guid.Parse(pool["id"].Text()), 1L),
                ("cluster.updated", null, 2L),
                ("cluster.deleted", null, 3L),
                ("nodepool.deleted", Guid.Parse(pool["id"].Text()), 2L),
            ],
            events.Select(e => (e.Type, e.NodePoolId, e.Generation)));
        Assert.All(events, e => Assert.Equal(7, e.Id.Version));
        Assert.All(events, e => Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$", e.TraceParent));
    }

    [Fact]
    public async Task Rejected_writes_queue_no_event()
    {
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM outbox");
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("rej"));
        var afterCreate = await api.ScalarAsync<long>("SELECT count(*) FROM outbox");
        Assert.Equal(before + 1, afterCreate);

        using (var invalid = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("X")))) { Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode); }
        using (var clash = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(cluster["name"].Text())))) { Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode); }
        using (var badPatch = await client.PatchAsync(cluster["href"].Text(), Bodies.Json(new JsonObject { ["status"] = "x" }, "application/merge-patch+json"))) { Assert.Equal(HttpStatusCode.BadRequest, badPatch.StatusCode); }
        using (var noop = await client.PutAsync(cluster["href"].Text(), Bodies.Json(new JsonObject { ["labels"] = cluster["labels"]!.DeepClone(), ["spec"] = cluster["spec"]!.DeepClone() }))) { Assert.Equal(HttpStatusCode.OK, noop.StatusCode); }

        Assert.Equal(afterCreate, await api.ScalarAsync<long>("SELECT count(*) FROM outbox"));
    }

    [Fact]
    public async Task A_write_and_its_event_commit_together()
    {
        // Hold a lock on the outbox so the create's event insert must wait: the cluster row is then
        // invisible to other sessions until the event row commits with it.
        await using var blocker = new NpgsqlConnection(api.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockOutbox = new NpgsqlCommand("LOCK TABLE outbox IN EXCLUSIVE MODE", blocker, transaction))
        {
            await lockOutbox.ExecuteNonQueryAsync();
        }

        var name = ApiCalls.Unique("atomic");
        var create = client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(name)));
        await Wait.UntilAsync(async () => await api.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()") > 0,
            TimeSpan.FromSeconds(30), "the create to wait on the outbox lock");

        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM clusters WHERE name = @name", ("name", name)));
        await transaction.RollbackAsync();
        using var response = await create;

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM clusters c JOIN outbox o ON o.cluster_id = c.id WHERE c.name = @name", ("name", name)));
    }

    private async Task<List<(Guid Id, string Type, Guid? NodePoolId, long Generation, string TraceParent)>> EventsAsync(Guid clusterId)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, type, node_pool_id, generation, traceparent FROM outbox WHERE cluster_id = @id ORDER BY occurred_at, type", connection);
        command.Parameters.AddWithValue("id", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<(Guid, string, Guid?, long, string)>();
        while (await reader.ReadAsync())
        {
            events.Add((reader.GetGuid(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetInt64(3), reader.GetString(4)));
        }

        return events;
    }
}
