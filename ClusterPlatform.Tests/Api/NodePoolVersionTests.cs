using StatusCalls = ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Node pool versions on the real Api and PostgreSQL: the default (the control plane's current
/// version), HyperShift's skew on pool create, replace and patch, the catalog, and a cluster upgrade
/// that would strand a pool. The control plane's current version comes from the operator client's
/// report of HyperShift's <c>status.version</c>, sent as the controller would.
/// </summary>
public sealed class NodePoolVersionTests(NodePoolVersionTests.Server api) : IClassFixture<NodePoolVersionTests.Server>
{
    /// <summary>The Api offering 4.19 to 4.23, so the catalog spans more than HyperShift's skew of three minors.</summary>
    public sealed class Server(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Platform:SupportedVersions:0"] = "4.19",
            ["Platform:SupportedVersions:1"] = "4.20",
            ["Platform:SupportedVersions:2"] = "4.21",
            ["Platform:SupportedVersions:3"] = "4.22",
            ["Platform:SupportedVersions:4"] = "4.23",
        };
    }

    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));
    private readonly HttpClient operatorClient = api.As("controller", null, ControllerNames.OperatorClient);

    [Fact]
    public async Task A_pool_without_a_version_gets_the_control_planes_current_version_not_its_desired_one()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"), b => b.With("spec.release.version", "4.23.2"));
        Assert.Equal("4.23.2", (await CreateAsync(cluster, "before", version: null))["spec"]!["version"].Text());

        await ReportCurrentAsync(cluster, "4.23.2");
        using (var upgrade = await client.PatchAsync(cluster["href"].Text(), MergePatch(new JsonObject
        {
            ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = "4.23.3" } },
        })))
        {
            Assert.Equal(HttpStatusCode.OK, upgrade.StatusCode);
        }

        // HyperShift has not completed 4.23.3: the control plane still runs 4.23.2.
        var pool = await CreateAsync(cluster, "during", version: null);
        Assert.Equal("4.23.2", pool["spec"]!["version"].Text());
        using var above = await PostAsync(cluster, "ahead", "4.23.3");
        await AssertSkewAsync(above, "cannot be higher than the HostedCluster version 4.23.2");
    }

    [Fact]
    public async Task A_pool_above_the_control_plane_is_refused_on_create_put_and_patch_and_nothing_changes()
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        using (var create = await PostAsync(cluster, "ahead", "4.23.0"))
        {
            await AssertSkewAsync(create, "cannot be higher than the HostedCluster version 4.22.3");
        }

        var pool = await CreateAsync(cluster, "workers", version: null);
        var href = pool["href"].Text();
        var replacement = new JsonObject { ["spec"] = pool["spec"]!.DeepClone() }.With("spec.version", "4.23.0");
        using (var put = await client.PutAsync(href, Bodies.Json(replacement)))
        {
            await AssertSkewAsync(put, "cannot be higher");
        }

        using (var patch = await client.PatchAsync(href, MergePatch(new JsonObject { ["spec"] = new JsonObject { ["version"] = "4.22.4" } })))
        {
            await AssertSkewAsync(patch, "NodePool version 4.22.4 cannot be higher than the HostedCluster version 4.22.3");
        }

        var stored = await client.GetObjectAsync(href);
        Assert.Equal((1L, "4.22.3"), ((long)stored["generation"]!, stored["spec"]!["version"].Text()));
    }

    [Fact]
    public async Task A_pool_more_than_three_minors_behind_is_refused_and_three_is_allowed()
    {
        await CatalogAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"), b => b.With("spec.release.version", "4.23.2"));

        using (var tooOld = await PostAsync(cluster, "too-old", "4.19.3"))
        {
            await AssertSkewAsync(tooOld, "NodePool minor version 4.19 is less than 4.20, which is the minimum NodePool version compatible with the 4.23 HostedCluster");
        }

        var oldest = await CreateAsync(cluster, "oldest", "4.20.3");
        using var back = await client.PatchAsync(oldest["href"].Text(), MergePatch(new JsonObject { ["spec"] = new JsonObject { ["version"] = "4.19.2" } }));
        await AssertSkewAsync(back, "is less than 4.20");
    }

    [Fact]
    public async Task A_version_other_than_the_control_planes_must_be_enabled_in_its_channel_group()
    {
        await CatalogAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));

        // The simulated graph holds back every .1 patch.
        using var disabled = await PostAsync(cluster, "held-back", "4.22.1");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, disabled.StatusCode);
        var problem = await disabled.ReadObjectAsync();
        Assert.Equal("version-not-enabled", problem["code"].Text());
        var message = problem["errors"]!["$.spec.version"]![0].Text();
        Assert.Contains("4.22.3", message);
        Assert.Contains("4.20.0", message);
        Assert.DoesNotContain("4.22.1", message);
        Assert.Contains("4.19.3", message); // n-3 of a 4.22 control plane
        Assert.DoesNotContain("4.23.", message); // above it
        Assert.Equal("4.22.2", (await CreateAsync(cluster, "enabled", "4.22.2"))["spec"]!["version"].Text());
    }

    [Fact]
    public async Task A_cluster_upgrade_that_would_strand_a_pool_is_refused_naming_it()
    {
        await CatalogAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("c"));
        await ReportCurrentAsync(cluster, "4.22.3");
        var old = await CreateAsync(cluster, "old-workers", "4.19.3");
        await CreateAsync(cluster, "workers", version: null);
        var upgrade = MergePatch(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = "4.23.3" } } });

        using (var refused = await client.PatchAsync(cluster["href"].Text(), upgrade))
        {
            var detail = await AssertSkewAsync(refused, "old-workers (4.19.3)");
            Assert.DoesNotContain(" workers (", detail);
        }

        var unchanged = await client.GetObjectAsync(cluster["href"].Text());
        Assert.Equal((1L, "4.22.3"), ((long)unchanged["generation"]!, unchanged["spec"]!["release"]!["version"].Text()));

        using (var poolUpgrade = await client.PatchAsync(old["href"].Text(), MergePatch(new JsonObject { ["spec"] = new JsonObject { ["version"] = "4.20.3" } })))
        {
            Assert.Equal(HttpStatusCode.OK, poolUpgrade.StatusCode);
        }

        using var accepted = await client.PatchAsync(cluster["href"].Text(), MergePatch(new JsonObject
        {
            ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = "4.23.3" } },
        }));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    private Task<HttpResponseMessage> PostAsync(JsonObject cluster, string name, string? version) =>
        client.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(cluster["id"].Text(), name).With("spec.version", version)));

    private async Task<JsonObject> CreateAsync(JsonObject cluster, string name, string? version)
    {
        using var response = await PostAsync(cluster, name, version);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    /// <summary>The operator client reports what HyperShift's HostedCluster says it runs (CONTRACT-17's <c>data.version</c>).</summary>
    private async Task ReportCurrentAsync(JsonObject cluster, string version)
    {
        var history = new JsonArray(new JsonObject
        {
            ["version"] = version, ["state"] = "Completed", ["startedAt"] = "2026-01-01T00:00:00Z", ["completedAt"] = "2026-01-01T00:20:00Z",
        });
        var report = StatusCalls.WithData(StatusCalls.Report(ControllerNames.OperatorClient, (long)cluster["generation"]!, "Available=True"),
            new JsonObject { ["version"] = new JsonObject { ["current"] = version, ["desired"] = version, ["history"] = history } });
        await StatusCalls.ReportAsync(operatorClient, cluster["href"].Text(), report);
    }

    private static async Task<string> AssertSkewAsync(HttpResponseMessage response, string reason)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, body);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal("version-skew", problem["code"].Text());
        Assert.Contains(reason, problem["detail"].Text());
        return problem["detail"].Text();
    }

    private static StringContent MergePatch(JsonObject body) => Bodies.Json(body, "application/merge-patch+json");

    /// <summary>Waits for the refresher's first pass, which the versions other than a control plane's are checked against.</summary>
    private async Task CatalogAsync() =>
        await Wait.UntilAsync(async () => (await api.As("admin", null).GetObjectAsync("/api/v1/versions"))["items"]!.AsArray()
            .Any(v => v!["version"].Text() == "4.19.3"), TimeSpan.FromSeconds(30), "the catalog to hold 4.19");
}
