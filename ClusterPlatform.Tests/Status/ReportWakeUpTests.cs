using Npgsql;
using NpgsqlTypes;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>
/// A report wakes the outbox relays (NOTIFY outbox, Events/OutboxSignal.cs) only when it queued an
/// event, which the report functions say in their <c>queued</c> column.
/// </summary>
public sealed class ReportWakeUpTests(ApiServer api) : IClassFixture<ApiServer>
{
    private static readonly string[] Known = [.. ControllerNames.All];

    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));

    [Fact]
    public async Task The_report_functions_say_they_queued_exactly_when_they_wrote_an_event()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("queued"));
        var clusterId = Guid.Parse(cluster["id"].Text());
        var pool = await user.CreateNodePoolAsync(clusterId.ToString());
        var poolId = Guid.Parse(pool["id"].Text());

        await AssertReportAsync(clusterId, ClusterReport(clusterId, 1, "False"), "ok", queued: false); // absent -> False: no transition
        await AssertReportAsync(clusterId, ClusterReport(clusterId, 1, "True"), "ok", queued: true);
        await AssertReportAsync(clusterId, ClusterReport(clusterId, 1, "True"), "ok", queued: false); // a repeat
        await AssertReportAsync(clusterId, ClusterReport(clusterId, 2, "False"), "future-generation", queued: false);
        // A node pool's transition queues its cluster's reconcile.
        await AssertReportAsync(clusterId, NodePoolReport(poolId, "True"), "ok", queued: true);
        await AssertReportAsync(clusterId, NodePoolReport(poolId, "True"), "ok", queued: false);
    }

    [Fact]
    public async Task A_report_that_queues_nothing_sends_no_wake_up_and_a_transition_does()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("wake"));
        var href = cluster["href"].Text();
        var placement = api.As("controller", null, ControllerNames.Placement);
        await using var listener = new NpgsqlConnection(api.ConnectionString);
        await listener.OpenAsync();
        await using (var listen = new NpgsqlCommand("LISTEN outbox", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }

        // The Api sends its wake-up before it answers, so one sent would be on its way by now.
        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));
        Assert.False(await listener.WaitAsync(TimeSpan.FromSeconds(1)), "a report that queued nothing woke the relays");

        await placement.ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        Assert.True(await listener.WaitAsync(TimeSpan.FromSeconds(10)), "a report that queued a reconcile did not wake the relays");
    }

    /// <summary>Runs one report function and checks its outcome, its queued column, and that it wrote one reconcile of the cluster exactly when it says so.</summary>
    private async Task AssertReportAsync(Guid clusterId, NpgsqlCommand command, string outcome, bool queued)
    {
        var before = await ReconcilesAsync(clusterId);
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        command.Connection = connection;
        await using (command)
        await using (var reader = await command.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            Assert.Equal(outcome, reader.GetString(0));
            Assert.Equal(queued, reader.GetBoolean(1));
        }

        Assert.Equal(before + (queued ? 1 : 0), await ReconcilesAsync(clusterId));
    }

    private Task<long> ReconcilesAsync(Guid clusterId) =>
        api.ScalarAsync<long>("SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.reconcile' AND node_pool_id IS NULL", ("id", clusterId));

    private static NpgsqlCommand ClusterReport(Guid id, long generation, string available)
    {
        var report = ReportFunction(id, ControllerNames.Placement, generation, available, """
            SELECT outcome, queued FROM report_cluster_status(@id, @controller, @generation, NULL, @conditions, NULL,
                @required, @known, NULL, interval '1 hour', interval '1 hour', 'test')
            """);
        report.Parameters.AddWithValue("required", Known);
        return report;
    }

    private static NpgsqlCommand NodePoolReport(Guid id, string available)
    {
        var report = ReportFunction(id, ControllerNames.OperatorClient, 1, available, """
            SELECT outcome, queued FROM report_node_pool_status(@id, @controller, @generation, NULL, @conditions, NULL,
                @required, @cluster_required, @known, NULL, 'test')
            """);
        report.Parameters.AddWithValue("required", new[] { ControllerNames.OperatorClient });
        report.Parameters.AddWithValue("cluster_required", Known);
        return report;
    }

    private static NpgsqlCommand ReportFunction(Guid id, string controller, long generation, string available, string sql)
    {
        var report = new NpgsqlCommand(sql);
        report.Parameters.AddWithValue("id", id);
        report.Parameters.AddWithValue("controller", controller);
        report.Parameters.AddWithValue("generation", generation);
        report.Parameters.Add(new NpgsqlParameter("conditions", NpgsqlDbType.Jsonb)
        {
            Value = $$"""[{"type": "Available", "status": "{{available}}", "reason": "Test", "message": ""}]""",
        });
        report.Parameters.AddWithValue("known", Known);
        return report;
    }
}
