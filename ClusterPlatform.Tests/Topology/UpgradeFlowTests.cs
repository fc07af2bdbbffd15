using System.Globalization;
using System.Net.Http.Headers;
using Aspire.Hosting.Testing;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// Upgrades through the whole topology on simulated providers (issue 17): the simulated management
/// cluster plays HyperShift's rollout (a Partial history entry, Completed after
/// <c>Providers:Simulation:UpgradeDuration</c>, which <see cref="TopologyFixture"/> sets to a few
/// seconds), the operator client reports it, and the Api shows it in <c>status.version</c> and the
/// conditions. Every reading of the cluster during the upgrade is kept, so "Ready True throughout"
/// is checked on each one, not only at the end. The versions are the simulated update graph's
/// (Api/Versions/SimulatedVersionGraph.cs): 4.22.2 → 4.22.3 is a patch edge, 4.22.3 → 4.23.3 the minor edge.
/// </summary>
public sealed class UpgradeFlowTests(TopologyFixture topology) : IClassFixture<TopologyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_patch_upgrade_is_Progressing_Upgrading_then_Completed_with_Ready_True_throughout_and_a_pool_follows()
    {
        var client = await ClientAsync();
        var (cluster, pool) = await ReadyClusterAsync(client, "patch", "4.22.2");

        await UpgradeAsync(client, cluster, "4.22.2", "4.22.3");

        // The pool follows on its own upgrade, with its own history kept by the operator client.
        var poolReadings = new List<JsonObject>();
        var poolSpec = Bodies.NodePool(Guid.Empty.ToString())["spec"]!.AsObject().With("version", "4.22.3");
        using (var put = await client.PutAsync(pool, Bodies.Json(new JsonObject { ["spec"] = poolSpec.DeepClone() })))
        {
            Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        }

        await UntilAsync(async () =>
        {
            var reading = await client.GetObjectAsync(pool);
            poolReadings.Add(reading);
            return reading["status"]?["version"]?["current"]?.GetValue<string>() == "4.22.3";
        }, () => $"{pool} to run 4.22.3; last seen: {poolReadings.LastOrDefault()?["status"]?.ToJsonString()}");
        var poolVersion = poolReadings[^1]["status"]!["version"]!;
        Assert.Equal("4.22.3", poolVersion["desired"].Text());
        Assert.Equal([("4.22.3", "Completed"), ("4.22.2", "Completed")],
            poolVersion["history"]!.AsArray().Select(e => (e!["version"].Text(), e["state"].Text())));
        Assert.Contains(poolReadings, r => Condition(r, "Progressing") is { } p && p["status"].Text() == "True" && p["reason"].Text() == "Upgrading");
    }

    [Fact]
    public async Task A_minor_upgrade_along_a_graph_edge_rolls_out_the_same_way()
    {
        var client = await ClientAsync();
        var (cluster, _) = await ReadyClusterAsync(client, "minor", "4.22.3");

        await UpgradeAsync(client, cluster, "4.22.3", "4.23.3");
    }

    /// <summary>A cluster at <paramref name="version"/> with one pool at the same version, both Ready, the cluster running it.</summary>
    private async Task<(string Cluster, string Pool)> ReadyClusterAsync(HttpClient client, string prefix, string version)
    {
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique(prefix), b => b.With("spec.release.version", version));
        string pool;
        using (var created = await client.PostAsync(ApiCalls.NodePools, Bodies.Json(Bodies.NodePool(cluster["id"].Text()).With("spec.version", version))))
        {
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            pool = (await created.ReadObjectAsync())["href"].Text();
        }

        JsonObject? last = null;
        await UntilAsync(async () =>
        {
            last = await client.GetObjectAsync(cluster["href"].Text());
            return last["status"]!["phase"].Text() == "Ready" && last["status"]?["version"]?["current"]?.GetValue<string>() == version;
        }, () => $"{cluster["href"]} to be Ready running {version}; last seen: {last?["status"]?.ToJsonString()}");
        return (cluster["href"].Text(), pool);
    }

    /// <summary>
    /// Upgrades and watches: Progressing=True with reason Upgrading and the contract's message while
    /// HyperShift's newest history entry is Partial, then the history Completed and current the new
    /// version; Ready=True in every reading.
    /// </summary>
    private async Task UpgradeAsync(HttpClient client, string cluster, string from, string to)
    {
        var readings = new List<JsonObject>();
        using (var patch = await client.PatchAsync(cluster,
            Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = to } } }, "application/merge-patch+json")))
        {
            Assert.True(patch.StatusCode == HttpStatusCode.OK, await patch.Content.ReadAsStringAsync());
            readings.Add(await patch.ReadObjectAsync());
        }

        await UntilAsync(async () =>
        {
            var reading = await client.GetObjectAsync(cluster);
            readings.Add(reading);
            return reading["status"]?["version"]?["current"]?.GetValue<string>() == to;
        }, () => $"{cluster} to run {to}; last seen: {readings[^1]["status"]?.ToJsonString()}");

        Assert.All(readings, r => Assert.True(Condition(r, "Ready")?["status"].Text() == "True", $"not Ready during the upgrade: {r["status"]!.ToJsonString()}"));
        var upgrading = readings.Select(r => Condition(r, "Progressing")).FirstOrDefault(p => p?["reason"]?.GetValue<string>() == "Upgrading");
        Assert.True(upgrading is not null, $"never Progressing with reason Upgrading; Progressing seen: {string.Join(" | ", readings.Select(r => Condition(r, "Progressing")?.ToJsonString()).Distinct())}");
        Assert.Equal("True", upgrading!["status"].Text());
        Assert.Contains($"Upgrading from {from} to {to} since ", upgrading["message"].Text(), StringComparison.Ordinal);
        // While it rolled out, the history said so: the new version Partial on top of the old one.
        Assert.Contains(readings, r => r["status"]?["version"]?["history"] is JsonArray { Count: >= 2 } rollout
            && rollout[0]!["version"].Text() == to && rollout[0]!["state"].Text() == "Partial" && rollout[0]!["completedAt"] is null
            && rollout[1]!["version"].Text() == from);

        var version = readings[^1]["status"]!["version"]!;
        Assert.Equal(to, version["desired"].Text());
        var history = version["history"]!.AsArray();
        Assert.Equal([(to, "Completed"), (from, "Completed")], history.Take(2).Select(e => (e!["version"].Text(), e["state"].Text())));
        var done = history[0]!;
        Assert.True(DateTime.Parse(done["completedAt"].Text(), CultureInfo.InvariantCulture) >= DateTime.Parse(done["startedAt"].Text(), CultureInfo.InvariantCulture));
    }

    private static JsonObject? Condition(JsonObject resource, string type) =>
        resource["status"]?["conditions"]?.AsArray().FirstOrDefault(c => c?["type"]?.GetValue<string>() == type)?.AsObject();

    private async Task<HttpClient> ClientAsync()
    {
        await topology.WaitUntilHealthyAsync(TestContext.Current.CancellationToken);
        var client = topology.App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TopologyFixture.CreateUserToken("acme"));
        return client;
    }

    /// <summary>Waits for <paramref name="condition"/>; a timeout carries the Controllers' recent log lines.</summary>
    private async Task UntilAsync(Func<Task<bool>> condition, Func<string> waitingFor)
    {
        try
        {
            await Wait.UntilAsync(condition, Patience, waitingFor);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}{Environment.NewLine}{topology.RecentLogs(ResourceNames.Controllers)}", e);
        }
    }
}
