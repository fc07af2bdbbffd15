using ClusterPlatform.Tests.Status;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Versions;

/// <summary>
/// A cluster's release against the version catalog, on the real Api and PostgreSQL with the simulated
/// graph: channel groups on create, <c>status.version</c> from the operator client's report,
/// <c>GET …/upgrades</c>, and every refusal of an upgrade. "The version the cluster runs" is reported
/// as HyperShift's status through the operator client's report (<c>data.version</c>), as the
/// operator client does. Stable holds 4.22.0–4.22.3 and 4.23.0–4.23.3, patch .1 disabled, an edge
/// from each patch to every later one, and 4.22.3 → 4.23.3; fast has 4.22.4 and 4.23.4 more.
/// </summary>
public sealed class ClusterUpgradeTests(ApiServer api) : IClassFixture<ApiServer>
{
    private const string MergePatch = "application/merge-patch+json";

    private readonly HttpClient user = api.As("user", "upgrades");
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Status.Controllers.Clients(api);

    [Fact]
    public async Task A_create_defaults_the_channel_group_to_stable_and_needs_a_version_enabled_in_its_group()
    {
        var stable = await user.CreateClusterAsync(ApiCalls.Unique("stable"));
        Assert.Equal("stable", stable["spec"]!["release"]!["channelGroup"].Text());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"current":null,"desired":"4.22.3","history":[]}"""), stable["status"]!["version"]));

        var fast = await user.CreateClusterAsync(ApiCalls.Unique("fast"), b => b.Set("spec.release", new JsonObject { ["version"] = "4.23.4", ["channelGroup"] = "fast" }));
        Assert.Equal("fast", fast["spec"]!["release"]!["channelGroup"].Text());

        foreach (var (version, group) in new[] { ("4.22.1", "stable"), ("4.23.4", "stable") })
        {
            using var refused = await user.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("refused"))
                .Set("spec.release", new JsonObject { ["version"] = version, ["channelGroup"] = group })));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.ReadObjectAsync();
            Assert.Equal("version-not-enabled", problem["code"].Text());
            Assert.Equal(
                $"{version} is not enabled in channel group stable; enabled: 4.23.3, 4.23.2, 4.23.0, 4.22.3, 4.22.2, 4.22.0",
                problem["errors"]!["$.spec.release.version"]![0].Text());
        }

        using var badGroup = await user.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("nightly")).Set("spec.release.channelGroup", "nightly")));
        Assert.Equal(HttpStatusCode.BadRequest, badGroup.StatusCode);
        Assert.Equal(["$.spec.release.channelGroup"], await badGroup.ErrorPathsAsync());
    }

    [Fact]
    public async Task Status_version_follows_the_spec_and_the_operator_client_report_and_an_upgrade_keeps_Ready_True()
    {
        var href = await RunningAsync("4.22.0");

        var patched = await PatchVersionAsync(href, "4.22.2");
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var cluster = await patched.ReadObjectAsync();
        Assert.Equal(2, (long)cluster["generation"]!);
        Assert.Equal("4.22.2", cluster["status"]!["version"]!["desired"].Text());
        Assert.Equal("4.22.0", cluster["status"]!["version"]!["current"].Text());
        Assert.Equal("True", cluster["status"]!.StatusOf("Ready"));

        // HyperShift rolls out 4.22.2: the operator client reports the Partial entry and Upgrading.
        const string message = "Upgrading from 4.22.0 to 4.22.2 since 2026-12-02T15:00:00Z: Working towards 4.22.2";
        var upgrading = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 2)
            .Set("conditions", new JsonArray(Condition("Available=True"), new JsonObject
            {
                ["type"] = "Progressing", ["status"] = "True", ["reason"] = "Upgrading", ["message"] = message,
            }))
            .WithData(new JsonObject { ["version"] = Version("4.22.0", "4.22.2", ("4.22.2", "Partial"), ("4.22.0", "Completed")) }));
        Assert.Equal("True", upgrading.StatusOf("Ready"));
        Assert.Equal("Ready", upgrading.Phase());
        Assert.Equal("Upgrading", upgrading.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal(message, upgrading.ConditionOf("Progressing")["message"].Text());
        Assert.Equal("4.22.0", upgrading["version"]!["current"].Text());
        Assert.Equal(["Partial", "Completed"], upgrading["version"]!["history"]!.AsArray().Select(h => h!["state"].Text()));
        Assert.Null(upgrading["version"]!["history"]![0]!["completedAt"]);

        // Completed: current is the new version, and Progressing settles once every controller reports 2.
        await controllers.ReportAllAsync(href, 2, [ControllerNames.EnvironmentValidation, ControllerNames.Placement, ControllerNames.DnsManagement], "Available=True");
        var done = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 2, "Available=True")
            .WithData(new JsonObject { ["version"] = Version("4.22.2", "4.22.2", ("4.22.2", "Completed"), ("4.22.0", "Completed")) }));
        Assert.Equal("4.22.2", done["version"]!["current"].Text());
        Assert.Equal("Settled", done.ConditionOf("Progressing")["reason"].Text());
        Assert.Equal("True", done.StatusOf("Ready"));
        Assert.Equal(done.ToJsonString(), (await user.GetObjectAsync(href))["status"]!.ToJsonString());
    }

    [Fact]
    public async Task A_patch_and_a_minor_upgrade_along_graph_edges_are_accepted()
    {
        var href = await RunningAsync("4.22.2");
        using (var patch = await PatchVersionAsync(href, "4.22.3"))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        await ReportRunningAsync(href, 2, "4.22.3");
        var put = Replacement(await user.GetObjectAsync(href)).Set("spec.release.version", "4.23.3");
        using var minor = await user.PutAsync(href, Bodies.Json(put));
        Assert.Equal(HttpStatusCode.OK, minor.StatusCode);
        var cluster = await minor.ReadObjectAsync();
        Assert.Equal("4.23.3", cluster["spec"]!["release"]!["version"].Text());
        Assert.Equal(3, (long)cluster["generation"]!);
    }

    [Fact]
    public async Task Upgrades_lists_the_enabled_edges_from_the_running_version_in_the_cluster_channel_group()
    {
        var created = await user.CreateClusterAsync(ApiCalls.Unique("list"), b => b.Set("spec.release.version", "4.22.0"));
        var href = created["href"].Text();
        Assert.Equal("""{"kind":"UpgradeList","current":null,"channelGroup":"stable","items":[]}""", (await user.GetObjectAsync($"{href}/upgrades")).ToJsonString());

        await ReportRunningAsync(href, 1, "4.22.0");
        var list = await user.GetObjectAsync($"{href}/upgrades");
        Assert.Equal("4.22.0", list["current"].Text());
        // 4.22.1 is disabled; 4.22.0 has no minor edge (only the last patch has one).
        Assert.Equal(["4.22.2 patch", "4.22.3 patch"], Items(list));
        Assert.All(list["items"]!.AsArray(), i => Assert.Matches("^quay\\.io/openshift-release-dev/ocp-release@sha256:[0-9a-f]{64}$", i!["releaseImage"].Text()));

        var minor = await RunningAsync("4.22.3");
        Assert.Equal(["4.23.3 minor"], Items(await user.GetObjectAsync($"{minor}/upgrades")));

        // A channel group change alone is allowed (the upgrade rules do not apply), and changes what is offered.
        using (var toFast = await user.PatchAsync(minor, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = "fast" } } }, MergePatch)))
        {
            Assert.Equal(HttpStatusCode.OK, toFast.StatusCode);
        }

        var fast = await user.GetObjectAsync($"{minor}/upgrades");
        Assert.Equal("fast", fast["channelGroup"].Text());
        Assert.Equal(["4.22.4 patch"], Items(fast));

        // Who may read the cluster may read its upgrades; another organization gets a 404.
        Assert.Equal(["4.22.4 patch"], Items(await api.As("viewer", "upgrades").GetObjectAsync($"{minor}/upgrades")));
        using var foreign = await api.As("user", ApiCalls.Unique("other")).GetAsync($"{minor}/upgrades");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal("not-found", (await foreign.ReadObjectAsync())["code"].Text());
    }

    [Fact]
    public async Task A_channel_group_change_is_allowed_before_the_cluster_reports_a_version()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("group")))["href"].Text();
        var put = Replacement(await user.GetObjectAsync(href)).Set("spec.release.channelGroup", "candidate");
        using var changed = await user.PutAsync(href, Bodies.Json(put));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal("candidate", (await changed.ReadObjectAsync())["spec"]!["release"]!["channelGroup"].Text());
    }

    [Theory]
    [InlineData("4.22.0", "4.22.1", "version-disabled", "4.22.2,4.22.3")]
    [InlineData("4.22.0", "4.23.3", "version-not-an-upgrade", "4.22.2,4.22.3")]
    [InlineData("4.22.0", "4.23.2", "version-not-an-upgrade", "4.22.2,4.22.3")]
    [InlineData("4.22.3", "4.22.2", "version-downgrade", "4.23.3")]
    [InlineData("4.23.0", "4.22.3", "version-downgrade", "4.23.2,4.23.3")]
    public async Task An_upgrade_off_the_graph_is_refused_with_the_allowed_targets(string running, string target, string code, string allowed)
    {
        var href = await RunningAsync(running);
        foreach (var replace in new[] { false, true })
        {
            using var refused = replace
                ? await user.PutAsync(href, Bodies.Json(Replacement(await user.GetObjectAsync(href)).Set("spec.release.version", target)))
                : await PatchVersionAsync(href, target);
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.ReadObjectAsync();
            Assert.Equal(code, problem["code"].Text());
            Assert.Equal(allowed.Split(','), problem["allowedTargets"]!.AsArray().Select(v => v.Text()));
        }

        var unchanged = await user.GetObjectAsync(href);
        Assert.Equal(running, unchanged["spec"]!["release"]!["version"].Text());
        Assert.Equal(1, (long)unchanged["generation"]!);
    }

    [Fact]
    public async Task A_version_change_while_the_cluster_does_not_run_its_spec_version_is_refused_as_in_progress()
    {
        // Nothing reported yet: HyperShift has not said what runs.
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("fresh"), b => b.Set("spec.release.version", "4.22.0")))["href"].Text();
        await AssertInProgressAsync(href, "4.22.2");

        // An upgrade accepted, not yet completed: another change waits for it.
        await ReportRunningAsync(href, 1, "4.22.0");
        using (var accepted = await PatchVersionAsync(href, "4.22.2"))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        await AssertInProgressAsync(href, "4.22.3");
        await ReportRunningAsync(href, 2, "4.22.2");
        using var next = await PatchVersionAsync(href, "4.22.3");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task A_node_pool_status_version_has_its_spec_version_and_the_operator_client_report()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("pools"));
        var pool = await user.CreateNodePoolAsync(cluster["id"].Text());
        var href = pool["href"].Text();
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"current":null,"desired":"4.22.3","history":[]}"""), pool["status"]!["version"]));

        var status = await controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, 1, "Available=True")
            .WithData(new JsonObject { ["version"] = Version("4.22.3", "4.22.3", ("4.22.3", "Completed")) }));
        Assert.Equal("4.22.3", status["version"]!["current"].Text());
        Assert.Equal("Completed", status["version"]!["history"]![0]!["state"].Text());
        Assert.Equal(status.ToJsonString(), (await user.GetObjectAsync(href))["status"]!.ToJsonString());
    }

    [Fact]
    public async Task A_malformed_version_report_is_refused_at_the_edge()
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("malformed")))["href"].Text();
        var data = new JsonObject
        {
            ["version"] = new JsonObject
            {
                ["current"] = 4.22,
                ["history"] = new JsonArray(new JsonObject { ["version"] = "4.22.3", ["state"] = "Done", ["startedAt"] = "yesterday", ["completedAt"] = "2026-12-02 15:00" }),
            },
        };
        using var refused = await controllers[ControllerNames.OperatorClient].PutStatusAsync(href, Report(ControllerNames.OperatorClient, 1, "Available=True").WithData(data));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(
            ["$.data.version.current", "$.data.version.history[0].completedAt", "$.data.version.history[0].startedAt", "$.data.version.history[0].state"],
            (await refused.ErrorPathsAsync()).Order(StringComparer.Ordinal));

        // Another controller's data is its own business.
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True").WithData(data.DeepClone().AsObject()));
    }

    private async Task AssertInProgressAsync(string href, string target)
    {
        using var refused = await PatchVersionAsync(href, target);
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var problem = await refused.ReadObjectAsync();
        Assert.Equal("upgrade-in-progress", problem["code"].Text());
        Assert.Empty(problem["allowedTargets"]!.AsArray());
    }

    /// <summary>A Ready cluster created at <paramref name="version"/> that runs it, as HyperShift reports; its href.</summary>
    private async Task<string> RunningAsync(string version)
    {
        var href = (await user.CreateClusterAsync(ApiCalls.Unique("run"), b => b.Set("spec.release.version", version)))["href"].Text();
        await controllers.ReportAllAsync(href, 1, [ControllerNames.EnvironmentValidation, ControllerNames.Placement, ControllerNames.DnsManagement], "Available=True");
        await ReportRunningAsync(href, 1, version);
        return href;
    }

    /// <summary>The operator client reports, at <paramref name="generation"/>, that <paramref name="version"/> runs (its rollout Completed).</summary>
    private Task<JsonObject> ReportRunningAsync(string href, long generation, string version) =>
        controllers[ControllerNames.OperatorClient].ReportAsync(href, Report(ControllerNames.OperatorClient, generation, "Available=True")
            .WithData(new JsonObject { ["version"] = Version(version, version, (version, "Completed")) }));

    /// <summary>The operator client's <c>data.version</c>: history newest first, a Partial entry without completedAt.</summary>
    private static JsonObject Version(string? current, string desired, params (string Version, string State)[] history) => new()
    {
        ["current"] = current,
        ["desired"] = desired,
        ["history"] = new JsonArray(history.Select((h, i) => (JsonNode)new JsonObject
        {
            ["version"] = h.Version,
            ["state"] = h.State,
            ["startedAt"] = $"2026-12-0{2 - Math.Min(i, 1)}T15:00:00Z",
            ["completedAt"] = h.State == "Completed" ? $"2026-12-0{2 - Math.Min(i, 1)}T15:30:00Z" : null,
        }).ToArray()),
    };

    private Task<HttpResponseMessage> PatchVersionAsync(string href, string version) =>
        user.PatchAsync(href, Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = version } } }, MergePatch));

    private static JsonObject Replacement(JsonObject cluster) => new() { ["labels"] = cluster["labels"]!.DeepClone(), ["spec"] = cluster["spec"]!.DeepClone() };

    private static List<string> Items(JsonObject list) => [.. list["items"]!.AsArray().Select(i => $"{i!["version"].Text()} {i["type"].Text()}")];
}

/// <summary>Bodies.With under another name: StatusCalls (imported for the report calls) has a With of its own.</summary>
file static class JsonEdits
{
    public static JsonObject Set(this JsonObject body, string path, JsonNode? value) => Bodies.With(body, path, value);
}
