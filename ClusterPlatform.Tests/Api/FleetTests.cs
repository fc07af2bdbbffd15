using System.Net;
using System.Text.Json.Nodes;
using ClusterPlatform.Tests.Infrastructure;

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
