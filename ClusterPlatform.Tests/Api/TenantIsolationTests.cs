namespace ClusterPlatform.Tests.Api;

/// <summary>docs/api.md's roles table: who may read and write what, and that other organizations' resources do not exist for you.</summary>
public sealed class TenantIsolationTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly string orgA = ApiCalls.Unique("org-a");
    private readonly string orgB = ApiCalls.Unique("org-b");

    [Fact]
    public async Task User_cannot_read_list_change_or_delete_another_organizations_cluster()
    {
        var owner = api.As("user", orgB);
        var intruder = api.As("user", orgA);
        var cluster = await owner.CreateClusterAsync("secret");
        var href = cluster["href"].Text();
        var pool = await owner.CreateNodePoolAsync(cluster["id"].Text());

        using (var get = await intruder.GetAsync(href)) { Assert.Equal(HttpStatusCode.NotFound, get.StatusCode); }
        using (var put = await intruder.PutAsync(href, Bodies.Json(new JsonObject { ["spec"] = cluster["spec"]!.DeepClone() }))) { Assert.Equal(HttpStatusCode.NotFound, put.StatusCode); }
        using (var patch = await intruder.PatchAsync(href, Bodies.Json(new JsonObject { ["labels"] = new JsonObject() }, "application/merge-patch+json"))) { Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode); }
        using (var delete = await intruder.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode); }
        using (var pools = await intruder.GetAsync($"{href}/nodepools")) { Assert.Equal(HttpStatusCode.NotFound, pools.StatusCode); }
        using (var poolGet = await intruder.GetAsync(pool["href"].Text())) { Assert.Equal(HttpStatusCode.NotFound, poolGet.StatusCode); }
        using (var poolCreate = await intruder.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(cluster["id"].Text(), "sneaky")))) { Assert.Equal(HttpStatusCode.NotFound, poolCreate.StatusCode); }

        Assert.DoesNotContain("secret", (await intruder.GetObjectAsync(ApiCalls.Clusters)).Names());
        Assert.Empty((await intruder.GetObjectAsync($"{ApiCalls.NodePools}?clusterId={cluster["id"].Text()}")).Names());

        // The owner still sees it unchanged.
        var read = await owner.GetObjectAsync(href);
        Assert.Null(read["deletionTimestamp"]);
        Assert.Equal(1, (long)read["generation"]!);
    }

    [Fact]
    public async Task Viewer_reads_own_organization_but_cannot_write()
    {
        var cluster = await api.As("user", orgA).CreateClusterAsync("viewed");
        var viewer = api.As("viewer", orgA);

        Assert.Equal("viewed", (await viewer.GetObjectAsync(cluster["href"].Text()))["name"].Text());
        using (var post = await viewer.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("nope")))) { Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode); }
        using (var delete = await viewer.DeleteAsync(cluster["href"].Text())) { Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode); }
        using var other = await api.As("viewer", orgB).GetAsync(cluster["href"].Text());
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Controller_reads_every_organization_but_cannot_write()
    {
        var cluster = await api.As("user", orgA).CreateClusterAsync("observed");
        var controller = api.As("controller", null, "placement-controller");

        Assert.Equal("observed", (await controller.GetObjectAsync(cluster["href"].Text()))["name"].Text());
        using var post = await controller.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster("nope")));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
    }

    [Fact]
    public async Task User_that_is_also_a_controller_reads_everywhere_but_writes_only_its_own_organization()
    {
        var cluster = await api.As("user", orgB).CreateClusterAsync("guarded");
        var both = api.WithToken(TestTokens.Create("dual", orgA, "user", "controller"));

        Assert.Equal("guarded", (await both.GetObjectAsync(cluster["href"].Text()))["name"].Text());
        using (var delete = await both.DeleteAsync(cluster["href"].Text())) { Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode); }
        using (var pool = await both.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(cluster["id"].Text(), "sneaky")))) { Assert.Equal(HttpStatusCode.NotFound, pool.StatusCode); }
        Assert.Null((await both.GetObjectAsync(cluster["href"].Text()))["deletionTimestamp"]);
    }

    [Fact]
    public async Task Admin_reads_and_deletes_across_organizations()
    {
        var cluster = await api.As("user", orgB).CreateClusterAsync("administered");
        var admin = api.As("admin", "platform-ops");

        Assert.Equal(orgB, (await admin.GetObjectAsync(cluster["href"].Text()))["organization"].Text());
        Assert.Contains("administered", (await admin.GetObjectAsync($"{ApiCalls.Clusters}?limit=500&labelSelector=env%3Dprod")).Names());
        using var delete = await admin.DeleteAsync(cluster["href"].Text());
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
    }

    [Fact]
    public async Task Missing_or_invalid_token_returns_401_and_unknown_role_403()
    {
        using (var anonymous = await api.Anonymous().GetAsync(ApiCalls.Clusters)) { Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode); }
        var expired = TestTokens.Create("late", orgA, ["user"], DateTime.UtcNow.AddMinutes(-10));
        using (var stale = await api.WithToken(expired).GetAsync(ApiCalls.Clusters)) { Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode); }
        using (var garbage = await api.WithToken("not.a.jwt").GetAsync(ApiCalls.Clusters)) { Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode); }
        using (var noRole = await api.As("guest", orgA).GetAsync(ApiCalls.Clusters)) { Assert.Equal(HttpStatusCode.Forbidden, noRole.StatusCode); }
        using var noOrg = await api.As("user", null).GetAsync(ApiCalls.Clusters);
        Assert.Equal(HttpStatusCode.Forbidden, noOrg.StatusCode);
    }

    [Fact]
    public async Task Health_and_api_reference_are_anonymous()
    {
        var anonymous = api.Anonymous();
        foreach (var path in new[] { "/health", "/alive", "/openapi/v1.json", "/scalar" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path} returned {(int)response.StatusCode}");
        }
    }
}
