extern alias controllers;

using controllers::ClusterPlatform.Controllers.Api;
using controllers::ClusterPlatform.Controllers.Controllers;
using controllers::ClusterPlatform.Controllers.Hosting;
using controllers::ClusterPlatform.Controllers.Providers;
using ClusterPlatform.Tests.Status;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>
/// Two replicas of one controller (two instances, each with its own in-process lock, sharing the
/// provider's world as two pods share Cloud DNS) against the real Api. The wire between a replica and
/// the Api is held at chosen points (<see cref="ControllerWire"/>), so the interleavings are the
/// test's, not the scheduler's.
/// </summary>
public sealed class ControllerReplicaTests(ApiServer api) : IClassFixture<ApiServer>, IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Status.Controllers.Clients(api);
    private readonly List<ClusterRequeue> requeues = [];
    private readonly SimulatedDnsProvider dns = new(new SimulatedFaults(Options.Create(new ProviderOptions()), TimeProvider.System));

    [Fact]
    public async Task Replicas_that_read_the_same_entry_store_one_report_and_the_overtaken_one_reads_again_and_converges()
    {
        var (cluster, href, id) = await PlacedClusterAsync("race");
        var wireA = new ControllerWire { HoldFirstReport = true };
        var wireB = new ControllerWire();
        var a = Dns(wireA);
        var b = Dns(wireB);

        // A reads (no entry of its own: version 0), claims, and its report waits on the wire.
        var handlingA = a.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        await wireA.Held.Task.WaitAsync(Patience);
        // B reads the same (A stored nothing yet), claims the same names (its own claim) and stores version 1.
        await b.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        wireA.Release.SetResult();
        await handlingA.WaitAsync(Patience);

        // A's report, made from version 0, was refused; A read again (version 1), redid its work and
        // found that B's entry already says what it would report, so it sent nothing more
        // (ControllerRepeatReportTests), and the entry stays B's.
        Assert.Equal([(HttpStatusCode.OK, "")], wireB.Reports);
        Assert.Equal([(HttpStatusCode.Conflict, "report-conflict")], wireA.Reports);
        Assert.Equal(2, wireA.ClusterReads);
        var entry = (await user.GetObjectAsync(href))["status"]!["controllers"]!.AsArray().Single(c => c!["name"].Text() == ControllerNames.DnsManagement)!;
        Assert.Equal(1L, (long)entry["version"]!);
        Assert.Equal("True", entry.StatusOf("Available"));
        Assert.Equal(1L, await api.ScalarAsync<long>(
            "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'status-report' AND actor = @actor", ("id", id), ("actor", ControllerNames.DnsManagement)));
        Assert.Equal($"\"clusterplatform-cluster={id}\"", dns.Records[Name(cluster)].Data);
    }

    [Fact]
    public async Task Work_from_a_live_reading_that_lands_after_another_replica_finalized_the_cluster_is_undone()
    {
        var (cluster, href, id) = await PlacedClusterAsync("late");
        var wireA = new ControllerWire { HoldFirstClusterRead = true };
        var a = Dns(wireA);
        var b = Dns(new ControllerWire());

        // A reads the live cluster; the answer waits on the wire while the cluster is deleted and B,
        // from a deleting reading, releases the (not yet claimed) names and finalizes: the cluster is gone.
        var handlingA = a.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        await wireA.Held.Task.WaitAsync(Patience);
        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        foreach (var other in new[] { ControllerNames.OperatorClient, ControllerNames.EnvironmentValidation, ControllerNames.Placement })
        {
            await controllers[other].ReportAsync(href, Report(other, 2, "Available=False", "Finalized=True"));
        }

        await b.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        using (var gone = await user.GetAsync(href)) { Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode); }

        // A now claims from its live reading, after the release: the names would stay claimed by a
        // cluster that no longer exists. Its report finds the cluster gone, and it releases them.
        wireA.Release.SetResult();
        await handlingA.WaitAsync(Patience);
        Assert.Equal([(HttpStatusCode.NotFound, "not-found")], wireA.Reports);
        await Wait.UntilAsync(() => Task.FromResult(!dns.Records.ContainsKey(Name(cluster))), Patience,
            () => $"the names of gone cluster {id} to be released; owner records: {string.Join(", ", dns.Records.Keys)}");
    }

    [Fact]
    public async Task A_handling_overtaken_at_every_reading_stops_after_five_and_looks_again_later_until_its_report_is_stored()
    {
        const int Overtaken = ReconcilerBase.MaxAttempts + 1;
        var (_, href, id) = await PlacedClusterAsync("busy");
        // Before each of A's first six reports another replica stores one (an unconditional report,
        // so it always lands): every reading A makes is overtaken by the time it reports.
        var other = controllers[ControllerNames.DnsManagement];
        var wireA = new ControllerWire
        {
            BeforeReport = async count =>
            {
                if (count <= Overtaken)
                {
                    await other.ReportAsync(href, Report(ControllerNames.DnsManagement, 1, "Available=False").WithData(new JsonObject { ["other"] = count }));
                }
            },
        };
        var a = Dns(wireA);

        await a.HandleAsync(Event(id), TestContext.Current.CancellationToken);

        // The handling gave up after five readings, each refused, and left the cluster to a requeue.
        Assert.Equal(Enumerable.Repeat((HttpStatusCode.Conflict, "report-conflict"), ReconcilerBase.MaxAttempts), wireA.Reports);
        // The requeue reads again: overtaken once more, then its reading holds and its report is stored.
        await Wait.UntilAsync(() => Task.FromResult(wireA.Reports.Count == Overtaken + 1), Patience, () => $"A's reports after the requeue: {string.Join(", ", wireA.Reports)}");
        Assert.Equal((HttpStatusCode.OK, ""), wireA.Reports[^1]);
        var entry = (await user.StatusesAsync(href)).ReportOf(ControllerNames.DnsManagement);
        Assert.Equal("True", entry.StatusOf("Available"));
        Assert.Equal(Overtaken + 1L, (long)entry["version"]!); // the other replica's six, then A's
    }

    /// <summary>A new cluster whose placement is Available, so the DNS controller's preconditions hold.</summary>
    private async Task<(JsonObject Cluster, string Href, Guid Id)> PlacedClusterAsync(string prefix)
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique(prefix));
        var href = cluster["href"].Text();
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        return (cluster, href, Guid.Parse(cluster["id"].Text()));
    }

    /// <summary>A replica: its own lock and requeue, its own wire to the Api, and the shared DNS.</summary>
    private DnsManagementController Dns(ControllerWire wire)
    {
        var requeue = Requeue();
        requeues.Add(requeue);
        return new DnsManagementController(wire.Client(api), requeue, dns, NullLogger<DnsManagementController>.Instance);
    }

    public void Dispose() => requeues.ForEach(r => r.Dispose());

    private static ClusterRequeue Requeue() =>
        new(Options.Create(new ControllerOptions { RequeueAfter = TimeSpan.FromMilliseconds(200) }), TimeProvider.System, NullLogger<ClusterRequeue>.Instance);

    private static ClusterEvent Event(Guid clusterId) => new(Guid.NewGuid(), EventTypes.ClusterReconcile, clusterId, null, 1);

    private static string Name(JsonObject cluster) =>
        DnsManagementController.Name(System.Text.Json.JsonSerializer.Deserialize<Cluster>(cluster.ToJsonString(), System.Text.Json.JsonSerializerOptions.Web)!).OwnerHostname;
}
