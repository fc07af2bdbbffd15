using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// A cluster request through the whole topology (real PostgreSQL, emulator, Api and the four
/// controllers on simulated providers): created to Ready, changed back to Ready, failed on a bad
/// project, and deleted to gone. Only the DNS namesake test waits for the periodic reconcile sweep
/// (the default NotReadyAfter of 10 s), because that sweep is how released names are taken over;
/// every other wait's normal course is shorter.
/// </summary>
public sealed class ClusterFlowTests(TopologyFixture topology) : IClassFixture<TopologyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

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
        // Where the Ready cluster answers, read by the operator client from the simulated HostedCluster's status and spec.
        Assert.Equal($"https://api.{cluster["name"].Text()}.acme.example.com", ready["status"]!["apiUrl"].Text());
        Assert.Equal($"https://console-openshift-console.apps.{cluster["name"].Text()}.acme.example.com", ready["status"]!["consoleUrl"].Text());
        Assert.Contains("simulated", controllers["environment-validation-controller"]["conditions"]![0]!["message"].Text(), StringComparison.Ordinal);
        foreach (var pool in pools)
        {
            await WaitForPhaseAsync(client, pool["href"].Text(), "Ready");
        }
    }

    [Fact]
    public async Task Spec_change_keeps_Ready_in_every_reading_until_generation_2_is_observed()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("change"));
        await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");

        using var patch = await client.PatchAsync(cluster["href"].Text(),
            Bodies.Json(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["channelGroup"] = "fast" } } }, "application/merge-patch+json"));
        var patched = await patch.ReadObjectAsync();
        Assert.Equal(2, (long)patched["generation"]!);
        Assert.Equal("Ready", patched["status"]!["phase"].Text()); // as reported at generation 1 until the controllers report 2

        // Ready in every reading on the way: the controllers keep Available while the chain catches up.
        var readings = new List<JsonObject>();
        await UntilExplainedAsync(async () =>
        {
            readings.Add(await client.GetObjectAsync(cluster["href"].Text()));
            return (long)readings[^1]["status"]!["observedGeneration"]! == 2;
        }, () => $"{cluster["href"]} to be observed at generation 2; last seen: {readings[^1]["status"]?.ToJsonString()}");
        Assert.All(readings, r => Assert.Equal("Ready", r["status"]!["phase"].Text()));
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
    public async Task A_permanent_provider_failure_is_reported_degraded_with_the_providers_message()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("refused"));

        var failed = await WaitForPhaseAsync(client, cluster["href"].Text(), "Failed");

        var operatorClient = failed["status"]!["controllers"]!.AsArray().Single(c => c!["name"].Text() == "operator-client-controller")!;
        var degraded = operatorClient["conditions"]!.AsArray().Single(c => c!["type"].Text() == "Degraded")!;
        Assert.Equal(("True", "ProviderError"), (degraded["status"].Text(), degraded["reason"].Text()));
        Assert.Contains("simulated permanent failure of hostedcluster-apply", degraded["message"].Text(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transient_provider_failures_are_retried_until_ready()
    {
        // Every simulated call for this cluster (the signing key, the apply, the DNS record) fails
        // once: each is nacked and redelivered, never reported as failed for good.
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("flaky"));
        var pool = await client.CreateNodePoolAsync(cluster["id"].Text());

        await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");
        await WaitForPhaseAsync(client, pool["href"].Text(), "Ready");
    }

    [Fact]
    public async Task Deleted_cluster_passes_through_deleting_to_gone_and_leaves_no_dns_records_or_hosted_cluster()
    {
        var client = await ClientAsync();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("gone"));
        var pool = await client.CreateNodePoolAsync(cluster["id"].Text());
        var ready = await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");
        var hypershift = ready["status"]!["controllers"]!.AsArray().Single(c => c!["name"].Text() == "operator-client-controller")!["data"]!;
        var @namespace = hypershift["namespace"].Text();
        // The platform's DNS writes the names' claim; their records are HyperShift's ExternalDNS's.
        var hostnames = new[] { $"_owner.{cluster["name"].Text()}.acme.example.com" };

        var before = await SimulatedWorldAsync();
        Assert.All(hostnames, name => Assert.Contains(name, before.DnsRecords));
        Assert.Equal(["ConfigMap", "HostedCluster", "Namespace", "NodePool"], before.ObjectsIn(@namespace).Select(o => o.Kind).Order());

        using (var delete = await client.DeleteAsync(cluster["href"].Text()))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
            Assert.Equal("Deleting", (await delete.ReadObjectAsync())["status"]!["phase"].Text());
        }

        string? lastSeen = null;
        await UntilExplainedAsync(async () =>
        {
            using var read = await client.GetAsync(cluster["href"].Text());
            lastSeen = read.StatusCode == HttpStatusCode.NotFound ? null : (await read.ReadObjectAsync())["status"]?.ToJsonString();
            return read.StatusCode == HttpStatusCode.NotFound;
        }, () => $"the cluster to be finalized and gone; last seen: {lastSeen}");
        using var poolRead = await client.GetAsync(pool["href"].Text());
        Assert.Equal(HttpStatusCode.NotFound, poolRead.StatusCode);

        var after = await SimulatedWorldAsync();
        Assert.All(hostnames, name => Assert.DoesNotContain(name, after.DnsRecords));
        Assert.Empty(after.ObjectsIn(@namespace));
    }

    [Fact]
    public async Task A_namesake_in_another_organization_waits_for_the_dns_names_and_takes_them_only_once_they_are_released()
    {
        var acme = await ClientAsync("acme");
        var other = await ClientAsync("globex");
        var name = ApiCalls.Unique("shared");
        var first = await acme.CreateClusterAsync(name);
        await WaitForPhaseAsync(acme, first["href"].Text(), "Ready");

        // Same name, same base domain, another tenant: its DNS controller must not repoint acme's records.
        var namesake = await other.CreateClusterAsync(name);
        JsonObject? dns = null;
        await Wait.UntilAsync(async () =>
        {
            var read = await other.GetObjectAsync(namesake["href"].Text());
            dns = read["status"]!["controllers"]!.AsArray().SingleOrDefault(c => c!["name"].Text() == ControllerNames.DnsManagement)?.AsObject();
            return dns?["conditions"]!.AsArray().Any(c => c!["type"].Text() == "Available" && c["reason"].Text() == "NameInUse") == true;
        }, Patience, () => $"the namesake's DNS controller to report NameInUse; last: {dns?.ToJsonString()}");
        Assert.Equal("Ready", (await acme.GetObjectAsync(first["href"].Text()))["status"]!["phase"].Text());
        Assert.NotEqual("Ready", (await other.GetObjectAsync(namesake["href"].Text()))["status"]!["phase"].Text());

        Assert.Equal($"\"clusterplatform-cluster={first["id"].Text()}\"", (await SimulatedWorldAsync()).DnsData[$"_owner.{name}.acme.example.com"]);

        using (var delete = await acme.DeleteAsync(first["href"].Text()))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        // Released by acme's deletion, the names go to the namesake at the next reconcile of a cluster that is not Ready.
        await WaitForPhaseAsync(other, namesake["href"].Text(), "Ready");
        Assert.Equal($"\"clusterplatform-cluster={namesake["id"].Text()}\"", (await SimulatedWorldAsync()).DnsData[$"_owner.{name}.acme.example.com"]);
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

    [Fact]
    public async Task Every_event_delivered_twice_changes_nothing_in_the_final_state()
    {
        var client = await ClientAsync();
        var ct = TestContext.Current.CancellationToken;
        var connectionString = (await topology.App.GetConnectionStringAsync(ResourceNames.Database, ct))!;
        // Each handling's one line (ReconcilerBase), a report sent or one held back as a repeat: the
        // audit trail does not show every handling, since a report that changes nothing is neither
        // sent (ControllerRepeatReportTests) nor stored (UnchangedReportTests).
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var controllersLog = topology.WatchLog(ResourceNames.Controllers, stopWatching.Token);
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique("twice"));
        var id = Guid.Parse(cluster["id"].Text());
        await using var duplicator = new EventDuplicator(connectionString, topology.App.GetEndpoint(ResourceNames.PubSub, "http"), id);
        var pools = new[] { await client.CreateNodePoolAsync(cluster["id"].Text(), "pool-a"), await client.CreateNodePoolAsync(cluster["id"].Text(), "pool-b") };

        await WaitForPhaseAsync(client, cluster["href"].Text(), "Ready");
        foreach (var pool in pools)
        {
            await WaitForPhaseAsync(client, pool["href"].Text(), "Ready");
        }

        var ready = await client.GetObjectAsync(cluster["href"].Text());
        var reconcilesAtReady = await ScalarAsync(connectionString, "SELECT count(*) FROM outbox WHERE cluster_id = $1 AND type = 'cluster.reconcile'", id);

        // Every delivery, first or second, is one handling of the cluster by each controller.
        long events = 0;
        Dictionary<string, long> handlings = [];
        await Wait.UntilAsync(async () =>
        {
            (events, var allTwice) = await duplicator.ProgressAsync(ct);
            handlings = ClusterHandlingsByController(controllersLog, id, "reported Available=", "has nothing new to report");
            return allTwice && ControllerNames.All.All(c => handlings.GetValueOrDefault(c) >= 2 * events);
        }, Patience, () => $"every one of the cluster's {events} events to be handled twice by each controller (handlings: {string.Join(", ", handlings)})");
        // A second delivery finds what the first reported: most handlings send nothing.
        var heldBack = ClusterHandlingsByController(controllersLog, id, "has nothing new to report").Values.Sum();
        Assert.True(heldBack >= events, $"{heldBack} handlings held a repeat back, for {events} events each delivered twice to 4 controllers");

        var final = await client.GetObjectAsync(cluster["href"].Text());
        Assert.Equal("Ready", final["status"]!["phase"].Text());
        Assert.Equal(1, (long)final["generation"]!);
        // Nothing flipped: each controller's conditions are as they were at Ready, with their transition times.
        Assert.True(JsonNode.DeepEquals(ControllerConditions(ready), ControllerConditions(final)),
            $"at Ready: {ControllerConditions(ready).ToJsonString()}{Environment.NewLine}at the end: {ControllerConditions(final).ToJsonString()}");
        Assert.Equal(reconcilesAtReady, await ScalarAsync(connectionString, "SELECT count(*) FROM outbox WHERE cluster_id = $1 AND type = 'cluster.reconcile'", id));
        foreach (var pool in pools)
        {
            Assert.Equal("Ready", (await client.GetObjectAsync(pool["href"].Text()))["status"]!["phase"].Text());
        }

        // Placed once, and no management cluster counts a cluster twice.
        Assert.Equal(1L, await ScalarAsync(connectionString, "SELECT count(*) FROM placements WHERE cluster_id = $1", id));
        Assert.Equal(0L, await ScalarAsync(connectionString,
            "SELECT count(*) FROM management_clusters m WHERE m.load <> (SELECT count(*) FROM placements p WHERE p.management_cluster = m.name)"));
        var world = await SimulatedWorldAsync();
        var @namespace = final["status"]!["controllers"]!.AsArray().Single(c => c!["name"].Text() == "operator-client-controller")!["data"]!["namespace"].Text();
        Assert.Equal(["ConfigMap", "HostedCluster", "Namespace", "NodePool", "NodePool"], world.ObjectsIn(@namespace).Select(o => o.Kind).Order());
        Assert.Equal(1, world.DnsRecords.Count(r => r.EndsWith($".{cluster["name"].Text()}.acme.example.com", StringComparison.Ordinal)));
    }

    private static JsonArray ControllerConditions(JsonObject cluster) =>
        new([.. cluster["status"]!["controllers"]!.AsArray().Select(c => (JsonNode?)new JsonObject
        {
            ["name"] = c!["name"]!.DeepClone(),
            ["observedGeneration"] = c["observedGeneration"]!.DeepClone(),
            ["conditions"] = c["conditions"]!.DeepClone(),
        })]);

    /// <summary>Each controller's handling lines on the cluster itself (not its node pools) that say one of <paramref name="outcomes"/>, from its log.</summary>
    private static Dictionary<string, long> ClusterHandlingsByController(IEnumerable<string> log, Guid clusterId, params string[] outcomes)
    {
        var lines = log.Where(line => line.Contains($" for cluster {clusterId} at generation ", StringComparison.Ordinal)).ToList();
        return ControllerNames.All.ToDictionary(c => c,
            c => (long)lines.Count(line => outcomes.Any(outcome => line.Contains($"{c} {outcome}", StringComparison.Ordinal))), StringComparer.Ordinal);
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql, Guid? clusterId = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        if (clusterId is { } id)
        {
            command.Parameters.AddWithValue(id);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>What the Controllers' simulated providers hold (their <c>/simulated/world</c> view).</summary>
    private async Task<SimulatedWorld> SimulatedWorldAsync()
    {
        using var controllers = topology.App.CreateHttpClient(ResourceNames.Controllers);
        var world = await controllers.GetObjectAsync("/simulated/world");
        return new SimulatedWorld(
            world["dnsRecords"]!.AsArray().ToDictionary(r => r!["name"].Text(), r => r!["data"].Text(), StringComparer.Ordinal),
            world["managementClusterObjects"]!.AsArray().Select(o => (Kind: o!["kind"].Text(), Namespace: o["namespace"].Text(), Name: o["name"].Text())).ToList());
    }

    private sealed record SimulatedWorld(IReadOnlyDictionary<string, string> DnsData, IReadOnlyList<(string Kind, string Namespace, string Name)> Objects)
    {
        public IReadOnlyCollection<string> DnsRecords => [.. DnsData.Keys];

        /// <summary>The objects of one hosted cluster: its namespace itself and what is in it.</summary>
        public IEnumerable<(string Kind, string Namespace, string Name)> ObjectsIn(string @namespace) =>
            Objects.Where(o => o.Namespace == @namespace || (o.Kind == "Namespace" && o.Name == @namespace));
    }

    private async Task<HttpClient> ClientAsync(string organization = "acme")
    {
        await topology.WaitUntilHealthyAsync(TestContext.Current.CancellationToken);
        var client = topology.App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TopologyFixture.CreateUserToken(organization));
        return client;
    }

    private async Task<JsonObject> WaitForPhaseAsync(HttpClient client, string href, string phase)
    {
        JsonObject? last = null;
        await UntilExplainedAsync(async () =>
        {
            last = await client.GetObjectAsync(href);
            return last["status"]!["phase"].Text() == phase;
        }, () => $"{href} to reach phase {phase}; last seen: {last?["status"]?.ToJsonString()}");
        return last!;
    }

    /// <summary>Waits for <paramref name="condition"/>; a timeout carries the Controllers' own account of what they did, so it explains itself in CI.</summary>
    private async Task UntilExplainedAsync(Func<Task<bool>> condition, Func<string> waitingFor)
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
