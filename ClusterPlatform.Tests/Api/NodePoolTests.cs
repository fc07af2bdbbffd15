namespace ClusterPlatform.Tests.Api;

/// <summary>Node pools: validation, ownership by a cluster, and the cascade of a cluster delete.</summary>
public sealed class NodePoolTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    public static TheoryData<string, string?> InvalidFields => new()
    {
        { "name", "\"np\"" },
        { "name", "\"a234567890123456789012345678901\"" }, // 31 characters
        { "name", "\"Workers\"" },
        { "clusterId", "\"not-a-uuid\"" },
        { "clusterId", null },
        { "spec.replicas", "-1" },
        { "spec.replicas", "501" },
        { "spec.replicas", "2.5" },
        { "spec.replicas", "\"3\"" },
        { "spec.diskSizeGb", "19" },
        { "spec.diskSizeGb", "2001" },
        { "spec.machineType", "\"N2-standard-4\"" },
        { "spec.machineType", "\"n2standard4\"" },
        { "spec.machineType", null },
        { "spec.version", "\"4.22\"" },
        { "spec.version", "\"4.10.1\"" },
        { "spec.autoscaling", "{\"min\":1,\"max\":3}" }, // together with replicas
        { "spec.labels", "{}" },
        { "status", "{}" },
        { "generation", "1" },
    };

    [Theory]
    [MemberData(nameof(InvalidFields))]
    public async Task Post_with_invalid_field_returns_400_naming_its_path(string path, string? json)
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var body = Bodies.NodePool(cluster["id"].Text()).With(path, json is null ? null : JsonNode.Parse(json));

        using var response = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"$.{path}", await response.ErrorPathsAsync());
    }

    public static TheoryData<string, string?> InvalidAutoscaling => new()
    {
        { "{\"min\":0,\"max\":3}", "$.spec.autoscaling.min" },
        { "{\"min\":1,\"max\":501}", "$.spec.autoscaling.max" },
        { "{\"min\":5,\"max\":3}", "$.spec.autoscaling" },
        { "{\"min\":1}", "$.spec.autoscaling.max" },
        { "null", "$.spec.replicas" }, // neither replicas nor autoscaling
    };

    [Theory]
    [MemberData(nameof(InvalidAutoscaling))]
    public async Task Autoscaling_bounds_are_validated(string autoscaling, string? errorPath)
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var body = Bodies.NodePool(cluster["id"].Text()).With("spec.replicas", null);
        ((JsonObject)body["spec"]!)["autoscaling"] = JsonNode.Parse(autoscaling);

        using var response = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(errorPath, await response.ErrorPathsAsync());
    }

    [Theory]
    [InlineData("spec.replicas", "0")]
    [InlineData("spec.replicas", "500")]
    [InlineData("spec.diskSizeGb", "20")]
    [InlineData("spec.diskSizeGb", "2000")]
    [InlineData("spec.machineType", "\"e2-highmem-16\"")]
    [InlineData("spec.machineType", "\"e2-custom-8\"")]
    [InlineData("name", "\"a23456789012345678901234567890\"")] // 30 characters
    public async Task Valid_variants_are_created(string path, string json)
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));

        using var response = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(cluster["id"].Text()).With(path, JsonNode.Parse(json))));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task Autoscaling_pool_is_created_and_can_switch_to_replicas_by_merge_patch()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var body = Bodies.NodePool(cluster["id"].Text()).With("spec.replicas", null).With("spec.autoscaling", new JsonObject { ["min"] = 1, ["max"] = 10 });
        using var created = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(body));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var pool = await created.ReadObjectAsync();
        Assert.Null(pool["spec"]!["replicas"]);
        Assert.Equal(10, (int)pool["spec"]!["autoscaling"]!["max"]!);

        using var patched = await client.PatchAsync(pool["href"].Text(),
            Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["autoscaling"] = null, ["replicas"] = 4 } }, "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var after = await patched.ReadObjectAsync();
        Assert.Equal(4, (int)after["spec"]!["replicas"]!);
        Assert.Null(after["spec"]!["autoscaling"]);
        Assert.Equal(2, (long)after["generation"]!);
    }

    [Fact]
    public async Task Pool_for_unknown_cluster_returns_404()
    {
        using var response = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(Guid.CreateVersion7().ToString())));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Pool_names_are_unique_per_cluster_and_reusable_after_delete()
    {
        var one = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var two = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var pool = await client.CreateNodePoolAsync(one["id"].Text(), "shared");
        await client.CreateNodePoolAsync(two["id"].Text(), "shared");

        using (var clash = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(one["id"].Text(), "shared"))))
        {
            Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
            Assert.Equal("name-conflict", (await clash.ReadObjectAsync())["code"].Text());
        }

        using (await client.DeleteAsync(pool["href"].Text()))
        {
        }

        await client.CreateNodePoolAsync(one["id"].Text(), "shared");
    }

    [Fact]
    public async Task Cluster_delete_marks_its_pools_deleting_and_blocks_new_pools_with_409()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var id = cluster["id"].Text();
        var a = await client.CreateNodePoolAsync(id, "pool-a");
        var b = await client.CreateNodePoolAsync(id, "pool-b");

        using (var delete = await client.DeleteAsync(cluster["href"].Text())) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }

        foreach (var pool in new[] { a, b })
        {
            var read = await client.GetObjectAsync(pool["href"].Text());
            Assert.NotNull(read["deletionTimestamp"]);
            Assert.Equal("Deleting", read["status"]!["phase"].Text());
            Assert.Equal(2, (long)read["generation"]!);
        }

        using (var create = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(id, "pool-c"))))
        {
            Assert.Equal(HttpStatusCode.Conflict, create.StatusCode);
            Assert.Equal("cluster-deleting", (await create.ReadObjectAsync())["code"].Text());
        }

        using var update = await client.PutAsync(a["href"].Text(), Bodies.Json(new JsonObject { ["spec"] = a["spec"]!.DeepClone() }));
        Assert.Equal(HttpStatusCode.Conflict, update.StatusCode);
    }

    [Fact]
    public async Task Pools_are_listed_per_cluster_and_by_cluster_id_filter()
    {
        var one = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var two = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        await client.CreateNodePoolAsync(one["id"].Text(), "one-a");
        await client.CreateNodePoolAsync(one["id"].Text(), "one-b");
        await client.CreateNodePoolAsync(two["id"].Text(), "two-a");

        var nested = await client.GetObjectAsync($"{one["href"].Text()}/nodepools");
        Assert.Equal("NodePoolList", nested["kind"].Text());
        Assert.Equal(["one-a", "one-b"], nested.Names());
        Assert.Equal(["two-a"], (await client.GetObjectAsync($"{ApiCalls.NodePools}?clusterId={two["id"].Text()}")).Names());
        var firstPage = await client.GetObjectAsync($"{one["href"].Text()}/nodepools?limit=1");
        Assert.Equal(["one-a"], firstPage.Names());
        var secondPage = await client.GetObjectAsync($"{one["href"].Text()}/nodepools?limit=1&continue={firstPage["continue"].Text()}");
        Assert.Equal(["one-b"], secondPage.Names());
    }

    [Fact]
    public async Task Pool_put_keeps_cluster_and_name_immutable()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var pool = await client.CreateNodePoolAsync(cluster["id"].Text());
        var body = new JsonObject { ["clusterId"] = Guid.CreateVersion7().ToString(), ["spec"] = pool["spec"]!.DeepClone() };

        using var response = await client.PutAsync(pool["href"].Text(), Bodies.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("$.clusterId", await response.ErrorPathsAsync());
    }
}
