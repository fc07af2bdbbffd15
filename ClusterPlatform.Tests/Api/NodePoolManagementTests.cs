namespace ClusterPlatform.Tests.Api;

/// <summary>
/// A node pool's <c>spec.management</c> by HyperShift's NodePool CRD (openshift/hypershift
/// 3ee9615567acffaf3e3ee25c2ca2942d650565cf, nodepools-Default.crd.yaml in Kubernetes/Crds): its
/// defaults filled in so responses are complete, its bounds, and the upgrade type immutable.
/// </summary>
public sealed class NodePoolManagementTests(ApiServer api) : IClassFixture<ApiServer>
{
    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));

    [Fact]
    public async Task Defaults_are_hypershifts_for_each_upgrade_type()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));

        var replace = await CreateAsync(cluster, "replace", management: null);
        Assert.Equal(("Replace", "1", "0"), Management(replace));
        var inPlace = await CreateAsync(cluster, "in-place", new JsonObject { ["upgradeType"] = "InPlace" });
        Assert.Equal(("InPlace", null, "1"), Management(inPlace));
        Assert.True(inPlace["spec"]!["management"]!.AsObject().ContainsKey("maxSurge")); // complete: null, not missing
        var surge = await CreateAsync(cluster, "surge", new JsonObject { ["maxSurge"] = "25%" });
        Assert.Equal(("Replace", "25%", "0"), Management(surge));

        // What is stored is what controllers read: complete too.
        Assert.Equal("InPlace", await api.ScalarAsync<string>("SELECT spec #>> '{management,upgradeType}' FROM node_pools WHERE id = @id",
            ("id", Guid.Parse(inPlace["id"].Text()))));
    }

    public static TheoryData<string, string> Invalid => new()
    {
        { """{"upgradeType":"Rolling"}""", "$.spec.management.upgradeType" },
        { """{"upgradeType":"InPlace","maxSurge":"1"}""", "$.spec.management.maxSurge" },
        { """{"upgradeType":"InPlace","maxUnavailable":"0"}""", "$.spec.management.maxUnavailable" },
        { """{"maxSurge":"0","maxUnavailable":"0"}""", "$.spec.management" },
        { """{"maxSurge":"0%"}""", "$.spec.management" }, // with the default maxUnavailable 0
        { """{"maxSurge":"101%"}""", "$.spec.management.maxSurge" },
        { """{"maxUnavailable":"501"}""", "$.spec.management.maxUnavailable" },
        { """{"maxSurge":1}""", "$.spec.management.maxSurge" }, // a string, as the contract says
        { """{"maxSurge":"-1"}""", "$.spec.management.maxSurge" },
        { """{"maxSurge":"01"}""", "$.spec.management.maxSurge" },
        { """{"maxSurge":"1\n"}""", "$.spec.management.maxSurge" },
        { """{"autoRepair":true}""", "$.spec.management.autoRepair" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public async Task Invalid_management_is_a_400_naming_its_path(string management, string path)
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));

        using var response = await client.PostAsync(ApiCalls.NodePools,
            Bodies.Json(Bodies.NodePool(cluster["id"].Text()).With("spec.management", JsonNode.Parse(management))));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(path, await response.ErrorPathsAsync());
    }

    [Fact]
    public async Task The_upgrade_type_is_immutable_and_the_rollout_bounds_are_not()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        var pool = await CreateAsync(cluster, "in-place", new JsonObject { ["upgradeType"] = "InPlace" });
        var href = pool["href"].Text();

        using (var patch = await client.PatchAsync(href, MergePatch(new JsonObject { ["upgradeType"] = "Replace" })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, patch.StatusCode);
            Assert.Equal(["$.spec.management.upgradeType"], await patch.ErrorPathsAsync());
        }

        var replacement = new JsonObject { ["spec"] = pool["spec"]!.DeepClone() }.With("spec.management", new JsonObject { ["maxUnavailable"] = "2" });
        using (var put = await client.PutAsync(href, Bodies.Json(replacement)))
        {
            // Left out, the upgrade type is the default Replace: a change.
            Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
            Assert.Equal(["$.spec.management.upgradeType"], await put.ErrorPathsAsync());
        }

        using (var bounds = await client.PatchAsync(href, MergePatch(new JsonObject { ["maxUnavailable"] = "30%" })))
        {
            Assert.Equal(HttpStatusCode.OK, bounds.StatusCode);
            Assert.Equal("30%", (await bounds.ReadObjectAsync())["spec"]!["management"]!["maxUnavailable"].Text());
        }

        // A replace that leaves management (and the version) out keeps them.
        var kept = new JsonObject { ["spec"] = pool["spec"]!.DeepClone() }.With("spec.management", null).With("spec.version", null)
            .With("spec.replicas", JsonValue.Create(5));
        using var keep = await client.PutAsync(href, Bodies.Json(kept));
        Assert.Equal(HttpStatusCode.OK, keep.StatusCode);
        var stored = await keep.ReadObjectAsync();
        Assert.Equal(("InPlace", null, "30%"), Management(stored));
        Assert.Equal("4.22.3", stored["spec"]!["version"].Text());
        Assert.Equal(3L, (long)stored["generation"]!);
    }

    private async Task<JsonObject> CreateAsync(JsonObject cluster, string name, JsonObject? management)
    {
        using var response = await client.PostAsync(ApiCalls.NodePools,
            Bodies.Json(Bodies.NodePool(cluster["id"].Text(), name).With("spec.management", management)));
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    /// <summary>A pool's management as (upgradeType, maxSurge, maxUnavailable): jsonb orders keys its own way.</summary>
    private static (string, string?, string) Management(JsonNode pool)
    {
        var management = pool["spec"]!["management"]!;
        return (management["upgradeType"].Text(), management["maxSurge"]?.GetValue<string>(), management["maxUnavailable"].Text());
    }

    private static StringContent MergePatch(JsonObject management) =>
        Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["management"] = management } }, "application/merge-patch+json");
}
