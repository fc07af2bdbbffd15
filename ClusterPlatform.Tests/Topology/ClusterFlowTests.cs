using System.Net;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ClusterPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// A cluster request through the whole topology (real PostgreSQL, emulator, Api and the four
/// controllers on simulated providers): created to Ready, changed back to Ready, failed on a bad
/// project, and deleted to gone. Nothing here waits for the periodic reconcile sweep: the default
/// NotReadyAfter of 10 s is longer than each wait's normal course.
/// </summary>
public sealed class ClusterFlowTests(TopologyFixture topology) : IClassFixture<TopologyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Cluster_with_two_node_pools_reaches_ready_with_every_controllers_conditions_and_data()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("flow"));
        var pools = new[] { await client.CreateNodePoolAsync(cluster["id"].Text(), "pool-a"), await client.CreateNodePoolAsync(cluster["id"].Text(), "pool-b") };

        var ready = await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");

        var controllers = ready["status"]!["controllers"]!.AsArray().Select(c => c!.AsObject()).ToDictionary(c => c["name"].Text());
        Assert.Equal(["dns-management-controller", "environment-validation-controller", "operator-client-controller", "placement-controller"],
            controllers.Keys.Order());
        Assert.All(controllers.Values, c => Assert.Equal("True", c["conditions"]!.AsArray().Single(x => x!["type"].Text() == "Available")!["status"].Text()));
        Assert.StartsWith("mc-us-central1", controllers["placement-controller"]["data"]!["managementCluster"].Text(), StringComparison.Ordinal);
        Assert.Equal($"api.{cluster["name"].Text()}.acme.example.com", controllers["dns-management-controller"]["data"]!["apiHostname"].Text());
        Assert.Contains("simulated", controllers["environment-validation-controller"]["conditions"]![0]!["message"].Text(), StringComparison.Ordinal);
        foreach (var pool in pools)
        {
            await WaitForPhaseAsync(client, pool["href"].Text(), "Ready");
        }
    }

    [Fact]
    public async Task Spec_change_makes_ready_false_then_true_again_at_generation_2()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("change"));
        await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");

        using var patch = await client.PatchAsync(cluster["href"].Text(),
            Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = "4.18.1" } } }, "application/merge-patch+json"));
        var patched = await patch.ReadObjectAsync();
        Assert.Equal(2, (long)patched["generation"]!);
        Assert.NotEqual("Ready", patched["status"]!["phase"].Text());

        var ready = await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");
        Assert.Equal(2, (long)ready["status"]!["observedGeneration"]!);
    }

    [Fact]
    public async Task Cluster_in_a_failing_project_reaches_failed_with_reason_and_message()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("bad"), b => b.With("spec.gcp.projectId", "fail-project-1"));

        var failed = await WaitForPhaseAsync(client, cluster["href"].Text(), "Failed");

        var degraded = failed["status"]!["conditions"]!.AsArray().Single(c => c!["type"].Text() == "Degraded")!;
        Assert.Equal("True", degraded["status"].Text());
        Assert.StartsWith("environment-validation-controller: ", degraded["message"].Text(), StringComparison.Ordinal);
        Assert.Contains("simulated", degraded["message"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleted_cluster_passes_through_deleting_to_gone()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("gone"));
        var pool = await client.CreateNodePoolAsync(cluster["id"].Text());
        await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");

        using (var delete = await client.DeleteAsync(cluster["href"].Text()))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
            Assert.Equal("Deleting", (await delete.ReadObjectAsync())["status"]!["phase"].Text());
        }

        await Wait.UntilAsync(async () =>
        {
            using var read = await client.GetAsync(cluster["href"].Text());
            return read.StatusCode == HttpStatusCode.NotFound;
        }, Patience, "the cluster to be finalized and gone");
        using var poolRead = await client.GetAsync(pool["href"].Text());
        Assert.Equal(HttpStatusCode.NotFound, poolRead.StatusCode);
    }

    [Fact]
    public async Task Controllers_stopped_mid_flow_and_started_again_still_converge_to_ready()
    {
        var client = await ClientAsync();
        var commands = topology.App.Services.GetRequiredService<ResourceCommandService>();
        var ct = TestContext.Current.CancellationToken;
        Assert.True((await commands.ExecuteCommandAsync(ResourceNames.Controllers, KnownResourceCommands.StopCommand, ct)).Success);
        try
        {
            var cluster = await client.CreateClusterAsync(ApiCalls.Unique("restart"));
            await client.CreateNodePoolAsync(cluster["id"].Text());
            // Nobody reconciles while the controllers are down; the events wait in their subscriptions.
            Assert.Equal("Pending", (await client.GetObjectAsync(cluster["href"].Text()))["status"]!["phase"].Text());

            Assert.True((await commands.ExecuteCommandAsync(ResourceNames.Controllers, KnownResourceCommands.StartCommand, ct)).Success);
            await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");
        }
        finally
        {
            await commands.ExecuteCommandAsync(ResourceNames.Controllers, KnownResourceCommands.StartCommand, ct);
        }
    }

    private async Task<HttpClient> ClientAsync()
    {
        await topology.WaitUntilHealthyAsync(TestContext.Current.CancellationToken);
        var client = topology.App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TopologyFixture.CreateUserToken("acme"));
        return client;
    }

    private async Task<JsonObject> WaitForPhaseAsync(HttpClient client, string href, string phase)
    {
        JsonObject? last = null;
        try
        {
            await Wait.UntilAsync(async () =>
            {
                last = await client.GetObjectAsync(href);
                return last["status"]!["phase"].Text() == phase;
            }, Patience, () => $"{href} to reach phase {phase}; last seen: {last?["status"]?.ToJsonString()}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The Controllers' own account of what they did, so a timeout explains itself in CI.
            throw new Xunit.Sdk.XunitException($"{e.Message}{Environment.NewLine}{topology.RecentLogs(ResourceNames.Controllers)}", e);
        }

        return last!;
    }
}
