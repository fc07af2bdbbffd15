using Npgsql;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Status;

/// <summary>The append-only audit trail and <c>GET /api/v1/clusters/{id}/audit</c> (readers of the cluster; admins also after a hard delete).</summary>
public sealed class AuditTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly string organization = ApiCalls.Unique("org");
    private readonly HttpClient admin = api.As("admin", "ops", "root");

    private HttpClient User => api.As("user", organization, "alice");

    [Fact]
    public async Task Admin_sees_every_write_of_the_cluster_and_its_node_pools_oldest_first_with_actor_and_generation()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("trail"));
        var href = cluster["href"].Text();
        var id = cluster["id"].Text();
        await User.BumpGenerationAsync(href);
        var pool = await User.CreateNodePoolAsync(id);
        await api.As("controller", null, ControllerNames.Placement).ReportAsync(href, Report(ControllerNames.Placement, 2, "Available=True"));
        await admin.ReportAsync(pool["href"].Text(), Report(ControllerNames.OperatorClient, 1, "Available=True"));
        using (var delete = await User.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }

        var audit = await admin.GetObjectAsync($"{href}/audit");

        Assert.Equal("AuditList", audit["kind"].Text());
        Assert.Null(audit["continue"]);
        var items = audit["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        Assert.Equal(
            [
                ("create", "alice", 1L, (string?)null),
                ("update", "alice", 2L, null),
                ("create", "alice", 1L, pool["id"].Text()),
                ("status-report", ControllerNames.Placement, 2L, null),
                // An admin reporting on a controller's behalf is recorded as the admin.
                ("status-report", "root", 1L, pool["id"].Text()),
                ("delete", "alice", 3L, null),
                ("delete", "alice", 2L, pool["id"].Text()),
            ],
            items.Select(i => (i["action"].Text(), i["actor"].Text(), (long)i["generation"]!, i["nodePoolId"]?.GetValue<string>())));
        Assert.All(items, i =>
        {
            Assert.Equal(id, i["clusterId"].Text());
            Assert.Null(i["reason"]);
            Assert.EndsWith("Z", i["at"].Text(), StringComparison.Ordinal);
        });
        Assert.Equal(items.Select(i => (long)i["id"]!).Order(), items.Select(i => (long)i["id"]!));
    }

    [Fact]
    public async Task Readers_of_the_cluster_may_read_its_trail_and_another_organization_gets_404()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("shared")))["href"].Text();

        foreach (var reader in new[] { User, api.As("viewer", organization, "val"), api.As("controller", null, ControllerNames.Placement), admin })
        {
            var items = (await reader.GetObjectAsync($"{href}/audit"))["items"]!.AsArray();
            Assert.Equal(("create", "alice"), (items.Single()!["action"].Text(), items.Single()!["actor"].Text()));
        }

        using (var otherOrganization = await api.As("user", ApiCalls.Unique("other"), "mallory").GetAsync($"{href}/audit"))
        {
            await otherOrganization.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
        }

        using (var anonymous = await api.Anonymous().GetAsync($"{href}/audit")) { Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode); }
    }

    [Fact]
    public async Task Audit_stays_readable_after_the_cluster_is_hard_deleted_and_404s_for_a_cluster_that_never_existed()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("afterlife"));
        var href = cluster["href"].Text();
        using (var force = await admin.DeleteAsync($"{href}?force=true&reason=decommissioned"))
        {
            Assert.Equal(HttpStatusCode.NoContent, force.StatusCode);
        }

        using (var gone = await admin.GetAsync(href)) { Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode); }
        // No row is left to say whose cluster it was, so only admins still read its trail.
        using (var owner = await User.GetAsync($"{href}/audit")) { await owner.AssertProblemAsync(HttpStatusCode.NotFound, "not-found"); }
        var items = (await admin.GetObjectAsync($"{href}/audit"))["items"]!.AsArray();
        Assert.Equal(["create", "force-delete"], items.Select(i => i!["action"].Text()));
        Assert.Equal("root", items[1]!["actor"].Text());
        Assert.Equal("decommissioned", items[1]!["reason"].Text());

        using var never = await admin.GetAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}/audit");
        await never.AssertProblemAsync(HttpStatusCode.NotFound, "not-found");
    }

    [Fact]
    public async Task Finalized_cluster_keeps_its_trail_ending_with_finalize()
    {
        var cluster = await User.CreateClusterAsync(ApiCalls.Unique("final"));
        var href = cluster["href"].Text();
        using (var delete = await User.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        await Controllers.Clients(api).ReportAllAsync(href, 2, ControllerNames.All, "Available=False", "Finalized=True");

        var items = (await admin.GetObjectAsync($"{href}/audit"))["items"]!.AsArray();

        Assert.Equal(["create", "delete", "status-report", "status-report", "status-report", "status-report", "finalize"],
            items.Select(i => i!["action"].Text()));
        Assert.Equal(2, (long)items[^1]!["generation"]!);
        Assert.Equal(ControllerNames.OperatorClient, items[^1]!["actor"].Text());
    }

    [Fact]
    public async Task Audit_pages_with_limit_and_continue_without_gaps_or_overlaps()
    {
        var href = (await User.CreateClusterAsync(ApiCalls.Unique("paged")))["href"].Text();
        for (var i = 2; i <= 5; i++)
        {
            await User.BumpGenerationAsync(href);
        }

        var all = (await admin.GetObjectAsync($"{href}/audit?limit=500"))["items"]!.AsArray().Select(i => (long)i!["id"]!).ToList();
        Assert.Equal(5, all.Count);

        var paged = new List<long>();
        var url = $"{href}/audit?limit=2";
        var pages = 0;
        while (true)
        {
            var page = await admin.GetObjectAsync(url);
            pages++;
            paged.AddRange(page["items"]!.AsArray().Select(i => (long)i!["id"]!));
            if (page["continue"] is not JsonValue next)
            {
                break;
            }

            url = $"{href}/audit?limit=2&continue={Uri.EscapeDataString(next.GetValue<string>())}";
        }

        Assert.Equal(all, paged);
        Assert.Equal(3, pages);

        foreach (var query in new[] { "limit=0", "limit=501", "continue=not-a-cursor" })
        {
            using var invalid = await admin.GetAsync($"{href}/audit?{query}");
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        }
    }

    [Theory]
    [InlineData("UPDATE audit_log SET actor = 'mallory'")]
    [InlineData("DELETE FROM audit_log")]
    [InlineData("TRUNCATE audit_log")]
    public async Task Audit_log_table_rejects_changes_to_its_rows(string sql)
    {
        await User.CreateClusterAsync(ApiCalls.Unique("immutable"));
        var before = await api.ScalarAsync<long>("SELECT count(*) FROM audit_log");

        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
        Assert.True(await api.ScalarAsync<long>("SELECT count(*) FROM audit_log") >= before);
        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM audit_log WHERE actor = 'mallory'"));
    }
}
