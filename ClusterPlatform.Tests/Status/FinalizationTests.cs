using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>docs/api.md "Deletion": hard delete once every required controller has finalized, and the admin's force delete.</summary>
public sealed class FinalizationTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"), "alice");
    private readonly HttpClient admin = api.As("admin", "ops", "root");
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Controllers.Clients(api);

    private HttpClient Operator => controllers[ControllerNames.OperatorClient];

    [Fact]
    public async Task Cluster_is_hard_deleted_only_when_all_four_controllers_report_Finalized_True_at_the_deletion_generation()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("fin"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");
        // Finalized=True before the deletion changes nothing.
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True", "Finalized=True");
        await AssertExistsAsync(href);

        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        Assert.Equal(2, (long)(await user.GetObjectAsync(href))["generation"]!);
        // Generation 1 reports with Finalized=True still stand, but they are not at the deletion generation.
        await AssertExistsAsync(href);

        await controllers.ReportAllAsync(href, 2, [ControllerNames.EnvironmentValidation, ControllerNames.Placement, ControllerNames.DnsManagement],
            "Available=False", "Finalized=True");
        var waiting = await Operator.ReportAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=False", "Finalized=False"));
        Assert.Equal("Deleting", waiting.Phase());
        await AssertExistsAsync(href);

        var last = await Operator.ReportAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=False", "Finalized=True"));
        Assert.Equal("Deleting", last.Phase());

        await AssertGoneAsync(href);
        using (var statuses = await user.GetAsync($"{href}/statuses")) { Assert.Equal(HttpStatusCode.NotFound, statuses.StatusCode); }
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM resource_statuses WHERE resource_id = @id", ("id", id)));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'finalize' AND actor = @actor AND generation = 2 AND node_pool_id IS NULL",
            ("id", id), ("actor", ControllerNames.OperatorClient)));
        using var late = await Operator.PutStatusAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=False", "Finalized=True"));
        Assert.Equal(HttpStatusCode.NotFound, late.StatusCode);
    }

    [Fact]
    public async Task Cluster_waits_for_its_node_pools_which_finalize_through_operator_client_controller()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("pools"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        var first = (await user.CreateNodePoolAsync(id.ToString(), "first"))["href"].Text();
        var second = (await user.CreateNodePoolAsync(id.ToString(), "second"))["href"].Text();
        await Operator.ReportAsync(first, Report(ControllerNames.OperatorClient, 1, "Available=True"));

        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        var firstPool = await user.GetObjectAsync(first);
        Assert.Equal(2, (long)firstPool["generation"]!);
        Assert.Equal("Deleting", firstPool["status"]!.Phase());

        // The cluster's controllers are done, but its node pools are still there.
        await controllers.ReportAllAsync(href, 2, ControllerNames.All, "Available=False", "Finalized=True");
        await AssertExistsAsync(href);

        await Operator.ReportAsync(first, Report(ControllerNames.OperatorClient, 2, "Available=False", "Finalized=True"));
        await AssertGoneAsync(first);
        await AssertExistsAsync(second);
        await AssertExistsAsync(href);

        // Only the required controller finalizes a node pool; another's Finalized=True does not.
        await controllers[ControllerNames.Placement].ReportAsync(second, Report(ControllerNames.Placement, 2, "Available=False", "Finalized=True"));
        await AssertExistsAsync(second);
        // A Finalized=True at an older generation does not either.
        await Operator.ReportAsync(second, Report(ControllerNames.OperatorClient, 1, "Available=False", "Finalized=True"));
        await AssertExistsAsync(second);

        await Operator.ReportAsync(second, Report(ControllerNames.OperatorClient, 2, "Available=False", "Finalized=True"));

        await AssertGoneAsync(second);
        await AssertGoneAsync(href);
        Assert.Equal(3L, await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'finalize'", ("id", id)));
        Assert.Equal(0L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM resource_statuses WHERE resource_id = @id OR resource_id IN (SELECT node_pool_id FROM audit_log WHERE cluster_id = @id)",
            ("id", id)));
    }

    [Fact]
    public async Task Deleting_one_node_pool_finalizes_it_alone_and_leaves_the_live_cluster()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("onepool"));
        var href = cluster["href"].Text();
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True", "Finalized=True");
        var pool = (await user.CreateNodePoolAsync(cluster["id"].Text()))["href"].Text();
        using (var delete = await user.DeleteAsync(pool)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }

        await Operator.ReportAsync(pool, Report(ControllerNames.OperatorClient, 2, "Available=False", "Finalized=True"));

        await AssertGoneAsync(pool);
        var live = await user.GetObjectAsync(href);
        Assert.Null(live["deletionTimestamp"]);
        Assert.Equal("Ready", live["status"]!.Phase());
    }

    [Fact]
    public async Task Admin_force_delete_removes_the_cluster_its_node_pools_and_reports_at_once_with_an_audited_reason()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("force"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        var pool = await user.CreateNodePoolAsync(id.ToString());
        var poolId = Guid.Parse(pool["id"].Text());
        await controllers.ReportAllAsync(href, 1, ControllerNames.All, "Available=True");
        await Operator.ReportAsync(pool["href"].Text(), Report(ControllerNames.OperatorClient, 1, "Available=True"));

        using var response = await admin.DeleteAsync($"{href}?force=true&reason={Uri.EscapeDataString("stuck in GCP; ticket OPS-1")}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await AssertGoneAsync(href);
        await AssertGoneAsync(pool["href"].Text());
        Assert.Equal(0L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM resource_statuses WHERE resource_id = @id OR resource_id = @pool", ("id", id), ("pool", poolId)));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND node_pool_id IS NULL AND action = 'force-delete' AND actor = 'root' AND reason = 'stuck in GCP; ticket OPS-1'",
            ("id", id)));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND node_pool_id = @pool AND action = 'force-delete' AND reason = 'stuck in GCP; ticket OPS-1'",
            ("id", id), ("pool", poolId)));
        using var again = await admin.DeleteAsync($"{href}?force=true&reason=again");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Force_delete_also_removes_a_cluster_that_is_already_deleting()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("stuck"));
        var href = cluster["href"].Text();
        await user.CreateNodePoolAsync(cluster["id"].Text());
        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }

        using var force = await admin.DeleteAsync($"{href}?force=true&reason=controllers%20never%20finalized");

        Assert.Equal(HttpStatusCode.NoContent, force.StatusCode);
        await AssertGoneAsync(href);
        Assert.Empty((await admin.GetObjectAsync($"{ApiCalls.NodePools}?clusterId={cluster["id"].Text()}"))["items"]!.AsArray());
    }

    [Fact]
    public async Task Force_delete_is_403_for_a_user_and_400_without_a_reason_of_1_to_1024_characters()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("guarded"));
        var href = cluster["href"].Text();

        using (var asUser = await user.DeleteAsync($"{href}?force=true&reason=mine"))
        {
            await asUser.AssertProblemAsync(HttpStatusCode.Forbidden, "force-delete-forbidden");
        }

        foreach (var query in new[] { "force=true", "force=true&reason=", "force=true&reason=%20%20", $"force=true&reason={new string('r', 1025)}" })
        {
            using var invalid = await admin.DeleteAsync($"{href}?{query}");
            await invalid.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid-reason");
        }

        var live = await user.GetObjectAsync(href);
        Assert.Null(live["deletionTimestamp"]);
        Assert.Equal(0L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'force-delete'", ("id", Guid.Parse(cluster["id"].Text()))));

        using var longest = await admin.DeleteAsync($"{href}?force=true&reason={new string('r', 1024)}");
        Assert.Equal(HttpStatusCode.NoContent, longest.StatusCode);
        await AssertGoneAsync(href);
    }

    [Fact]
    public async Task Force_deleting_the_last_node_pool_of_a_finalized_cluster_hard_deletes_the_cluster_too()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("lastpool"));
        var href = cluster["href"].Text();
        var pool = await user.CreateNodePoolAsync(cluster["id"].Text());
        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        await controllers.ReportAllAsync(href, 2, ControllerNames.All, "Available=False", "Finalized=True");
        await AssertExistsAsync(href);

        using var force = await admin.DeleteAsync($"{pool["href"].Text()}?force=true&reason=pool%20stuck");

        Assert.Equal(HttpStatusCode.NoContent, force.StatusCode);
        await AssertGoneAsync(href);
    }

    [Fact]
    public async Task Force_delete_of_a_node_pool_removes_only_that_pool()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("poolforce"));
        var keep = await user.CreateNodePoolAsync(cluster["id"].Text(), "keep");
        var drop = await user.CreateNodePoolAsync(cluster["id"].Text(), "drop");

        using var force = await admin.DeleteAsync($"{drop["href"].Text()}?force=true&reason=broken");

        Assert.Equal(HttpStatusCode.NoContent, force.StatusCode);
        await AssertGoneAsync(drop["href"].Text());
        await AssertExistsAsync(keep["href"].Text());
        await AssertExistsAsync(cluster["href"].Text());
    }

    private async Task AssertExistsAsync(string href)
    {
        using var response = await admin.GetAsync(href);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task AssertGoneAsync(string href)
    {
        using var response = await admin.GetAsync(href);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
