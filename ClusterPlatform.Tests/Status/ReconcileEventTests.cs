using Npgsql;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>docs/api.md "A transition queues an event": one cluster.reconcile per change of a controller's Available or Finalized status.</summary>
public sealed class ReconcileEventTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly HttpClient placement = api.As("controller", null, ControllerNames.Placement);

    [Fact]
    public async Task Each_Available_transition_queues_exactly_one_reconcile_and_a_repeat_none()
    {
        var (id, href) = await CreateAsync("avail");

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True")); // Unknown -> True
        Assert.Single(await ReconcilesAsync(id));

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True", "Progressing=True", "Degraded=True:other conditions do not count"));
        Assert.Single(await ReconcilesAsync(id));

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));
        Assert.Equal(2, (await ReconcilesAsync(id)).Count);
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));
        Assert.Equal(2, (await ReconcilesAsync(id)).Count);
        // Not True either way: nobody waiting on this controller could act on the difference.
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=Unknown"));
        Assert.Equal(2, (await ReconcilesAsync(id)).Count);
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        Assert.Equal(3, (await ReconcilesAsync(id)).Count);

        // A transition is per controller: another controller's first report is not one while it is
        // not True (PreconditionsNotMet, say), and is once it is.
        var dns = api.As("controller", null, ControllerNames.DnsManagement);
        await dns.ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=False"));
        Assert.Equal(3, (await ReconcilesAsync(id)).Count);
        await dns.ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=True"));
        var events = await ReconcilesAsync(id);
        Assert.Equal(4, events.Count);
        Assert.All(events, e =>
        {
            Assert.Null(e.NodePoolId);
            Assert.Equal(1, e.Generation);
            Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]$", e.TraceParent);
        });

        // A report is not a change of the cluster: no cluster.updated.
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.updated'", ("id", id)));
    }

    [Theory]
    [InlineData("Available=Unknown")]
    [InlineData("Available=False")]
    public async Task A_first_report_that_is_not_True_is_no_transition(string available)
    {
        var (id, href) = await CreateAsync("first");

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, available));

        Assert.Empty(await ReconcilesAsync(id));
    }

    [Fact]
    public async Task Reconcile_carries_the_current_generation_even_for_a_report_of_an_older_one()
    {
        var (id, href) = await CreateAsync("gen");
        await user.BumpGenerationAsync(href);

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));

        Assert.Equal(2, Assert.Single(await ReconcilesAsync(id)).Generation);
    }

    [Fact]
    public async Task Rejected_reports_queue_nothing()
    {
        var (id, href) = await CreateAsync("rejected");
        await user.BumpGenerationAsync(href);
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True"));
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id", ("id", id));

        using (var stale = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 1, "Available=False"))) { Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode); }
        using (var future = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 3, "Available=False"))) { Assert.Equal(HttpStatusCode.UnprocessableEntity, future.StatusCode); }
        using (var invalid = await placement.PutStatusAsync(href, Report(ControllerNames.Placement, 2, "Progressing=False"))) { Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode); }

        Assert.Equal(before, await api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id", ("id", id)));
    }

    [Fact]
    public async Task Each_Finalized_transition_queues_one_reconcile()
    {
        var (id, href) = await CreateAsync("final");
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        Assert.Single(await ReconcilesAsync(id));

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True", "Finalized=False")); // absent -> False: not True either way
        Assert.Single(await ReconcilesAsync(id));
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True", "Finalized=True"));
        var events = await ReconcilesAsync(id);
        Assert.Equal(2, events.Count);
        Assert.Equal(2, events[^1].Generation);
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True", "Finalized=True"));
        Assert.Equal(2, (await ReconcilesAsync(id)).Count);

        // Available and Finalized changing in one report still make one event.
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=False", "Finalized=False"));
        Assert.Equal(3, (await ReconcilesAsync(id)).Count);
    }

    [Fact]
    public async Task Node_pool_transition_queues_a_reconcile_of_its_cluster()
    {
        var (id, href) = await CreateAsync("pool");
        await user.BumpGenerationAsync(href);
        var pool = await user.CreateNodePoolAsync(id.ToString());
        var op = api.As("controller", null, ControllerNames.OperatorClient);

        await op.ReportAsync(pool["href"].Text(), Report(ControllerNames.OperatorClient, 1, "Available=True"));
        await op.ReportAsync(pool["href"].Text(), Report(ControllerNames.OperatorClient, 1, "Available=True"));

        var reconcile = Assert.Single(await ReconcilesAsync(id));
        Assert.Null(reconcile.NodePoolId);
        Assert.Equal(2, reconcile.Generation); // the cluster's generation, not the pool's
    }

    private async Task<(Guid Id, string Href)> CreateAsync(string prefix)
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique(prefix));
        return (Guid.Parse(cluster["id"].Text()), cluster["href"].Text());
    }

    private async Task<List<(Guid? NodePoolId, long Generation, string TraceParent)>> ReconcilesAsync(Guid clusterId)
    {
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT node_pool_id, generation, traceparent FROM outbox WHERE cluster_id = @id AND type = 'cluster.reconcile' ORDER BY occurred_at, id", connection);
        command.Parameters.AddWithValue("id", clusterId);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<(Guid?, long, string)>();
        while (await reader.ReadAsync())
        {
            events.Add((reader.IsDBNull(0) ? null : reader.GetGuid(0), reader.GetInt64(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
        }

        return events;
    }
}
