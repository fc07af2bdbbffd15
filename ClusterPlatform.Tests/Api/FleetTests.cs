using Npgsql;

namespace ClusterPlatform.Tests.Api;

/// <summary>The management-cluster fleet: admins edit it, the placement controller places and releases on it.</summary>
public sealed class FleetTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient admin = api.As("admin", "ops");

    [Fact]
    public async Task Admin_puts_a_management_cluster_and_invalid_fields_are_reported_together()
    {
        var name = ApiCalls.Unique("mc");
        using var created = await admin.PutAsync($"/api/v1/management-clusters/{name}", Bodies.Json(Fleet("europe-west1", 5)));
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
        Assert.Equal(5, (int)(await created.ReadObjectAsync())["capacity"]!);

        var bad = new JsonObject { ["region"] = "mars", ["capacity"] = -1, ["apiEndpoint"] = "http://plain", ["ingressTarget"] = "Not A Name", ["extra"] = 1 };
        using var invalid = await admin.PutAsync($"/api/v1/management-clusters/{name}", Bodies.Json(bad));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Equal(["$.apiEndpoint", "$.capacity", "$.extra", "$.ingressTarget", "$.region"], (await invalid.ErrorPathsAsync()).Order());

        using var byUser = await api.As("user", "acme").PutAsync($"/api/v1/management-clusters/{name}", Bodies.Json(Fleet("europe-west1", 5)));
        Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
    }

    [Fact]
    public async Task Placement_is_sticky_least_loaded_and_released()
    {
        // A region of its own: us-west1 holds only the seeded cluster and the two added here.
        using (await admin.PutAsync("/api/v1/management-clusters/mc-us-west1-a", Bodies.Json(Fleet("us-west1", 0)))) { }
        using (await admin.PutAsync("/api/v1/management-clusters/mc-us-west1-b", Bodies.Json(Fleet("us-west1", 2)))) { }
        using (await admin.PutAsync("/api/v1/management-clusters/mc-us-west1-c", Bodies.Json(Fleet("us-west1", 2)))) { }
        var user = api.As("user", ApiCalls.Unique("org"));
        var placement = api.As("controller", null, "placement-controller");
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await user.CreateClusterAsync($"placed-{i}", b => b.With("spec.gcp.region", "us-west1")))["id"].Text());
        }

        var first = await PlaceAsync(placement, ids[0]);
        var second = await PlaceAsync(placement, ids[1]);
        Assert.NotEqual(first, second); // the emptier one each time
        Assert.Equal(first, await PlaceAsync(placement, ids[0])); // sticky

        using (var other = await api.As("controller", null, "dns-management-controller").PostAsync($"/api/v1/management-clusters/placements/{ids[2]}", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }

        using (var release = await placement.DeleteAsync($"/api/v1/management-clusters/placements/{ids[0]}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, release.StatusCode);
        }

        var fleet = await admin.GetObjectAsync("/api/v1/management-clusters");
        var loads = fleet["items"]!.AsArray().Where(m => m!["region"].Text() == "us-west1").ToDictionary(m => m!["name"].Text(), m => (int)m!["load"]!);
        Assert.Equal(1, loads.Values.Sum());
    }

    [Fact]
    public async Task Concurrent_first_placements_of_one_cluster_agree_and_take_capacity_once()
    {
        // A region no other test here places in, with two equally empty management clusters, so racing
        // calls could each pick a different one.
        using (await admin.PutAsync("/api/v1/management-clusters/mc-asia-southeast1-b", Bodies.Json(Fleet("asia-southeast1", 100)))) { }
        var cluster = (await api.As("user", ApiCalls.Unique("org")).CreateClusterAsync("raced", b => b.With("spec.gcp.region", "asia-southeast1")))["id"].Text();
        var placement = api.As("controller", null, "placement-controller");
        var loadBefore = await RegionLoadAsync("asia-southeast1");

        // Hold the region's management clusters, so every call has looked for an existing placement
        // (none yet) and waits to take capacity before the first can commit: the race, every time.
        await using var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        await using var hold = await holder.BeginTransactionAsync();
        await using (var lockRegion = new NpgsqlCommand("SELECT name FROM management_clusters WHERE region = 'asia-southeast1' FOR UPDATE", holder, hold))
        {
            await lockRegion.ExecuteNonQueryAsync();
        }

        var calling = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var response = await placement.PostAsync($"/api/v1/management-clusters/placements/{cluster}", null);
            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }).ToList();
        await Wait.UntilAsync(async () => await api.ScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 20,
            TimeSpan.FromSeconds(30), "20 placements waiting on the region's lock");
        await hold.RollbackAsync();
        var calls = await Task.WhenAll(calling);

        Assert.All(calls, call => Assert.True(call.Item1 == 200, $"{call.Item1}: {call.Item2}"));
        Assert.Single(calls.Select(call => JsonNode.Parse(call.Item2)!["name"].Text()).Distinct());
        Assert.Equal(1L, await api.ScalarAsync<long>("SELECT count(*) FROM placements WHERE cluster_id = @id", ("id", Guid.Parse(cluster))));
        Assert.Equal(loadBefore + 1, await RegionLoadAsync("asia-southeast1"));
    }

    private async Task<int> RegionLoadAsync(string region)
    {
        var fleet = await admin.GetObjectAsync("/api/v1/management-clusters");
        return fleet["items"]!.AsArray().Where(m => m!["region"].Text() == region).Sum(m => (int)m!["load"]!);
    }

    private static async Task<string> PlaceAsync(HttpClient client, string clusterId)
    {
        using var response = await client.PostAsync($"/api/v1/management-clusters/placements/{clusterId}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadObjectAsync())["name"].Text();
    }

    private static JsonObject Fleet(string region, int capacity) => new()
    {
        ["region"] = region,
        ["capacity"] = capacity,
        ["apiEndpoint"] = "https://api.mc.example.com:6443",
        ["ingressTarget"] = "ingress.mc.example.com",
    };
}
