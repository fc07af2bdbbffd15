extern alias controllers;

using controllers::ClusterPlatform.Controllers.Controllers;
using controllers::ClusterPlatform.Controllers.Hosting;
using controllers::ClusterPlatform.Controllers.Providers;
using ClusterPlatform.Tests.Status;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Tests.Status.StatusCalls;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>
/// A controller does not send a report its reading already says (<c>UnchangedReport</c>): every event
/// wakes every controller, and most handlings decide what they decided before. Against the real Api,
/// through a wire that counts what is sent.
/// </summary>
public sealed class ControllerRepeatReportTests(ApiServer api) : IClassFixture<ApiServer>, IDisposable
{
    private readonly HttpClient user = api.As("user", ApiCalls.Unique("org"));
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Status.Controllers.Clients(api);
    private readonly ClusterRequeue requeue = new(Options.Create(new ControllerOptions { RequeueAfter = TimeSpan.FromMinutes(5) }), TimeProvider.System,
        NullLogger<ClusterRequeue>.Instance);

    [Fact]
    public async Task A_handling_whose_reading_already_says_its_report_sends_none_and_one_whose_input_moved_sends_it()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("repeat"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=True"));
        var wire = new ControllerWire();
        var dns = Dns(wire);

        await dns.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        Assert.Equal([(HttpStatusCode.OK, "")], wire.Reports);
        var stored = (await user.StatusesAsync(href)).ReportOf(ControllerNames.DnsManagement);
        Assert.Equal("True", stored.StatusOf("Available"));

        // The same event again (a duplicate, or another controller's transition): the cluster is read,
        // the names are claimed again (idempotent), and the report would repeat the entry: none is sent.
        await dns.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        Assert.Equal(2, wire.ClusterReads);
        Assert.Single(wire.Reports);
        var after = (await user.StatusesAsync(href)).ReportOf(ControllerNames.DnsManagement);
        Assert.Equal((long)stored["version"]!, (long)after["version"]!);
        Assert.Equal(1L, await StatusReportsAsync(id));

        // Its input moves (placement no longer Available): the decision differs, so the report goes.
        await controllers[ControllerNames.Placement].ReportAsync(href, Report(ControllerNames.Placement, 1, "Available=False"));
        await dns.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        Assert.Equal([(HttpStatusCode.OK, ""), (HttpStatusCode.OK, "")], wire.Reports);
        var moved = (await user.StatusesAsync(href)).ReportOf(ControllerNames.DnsManagement);
        Assert.Equal(ReconcileResult.PreconditionsNotMetReason, moved["conditions"]!.AsArray().Single(c => c!["type"].Text() == "Available")!["reason"].Text());
        Assert.Equal(2L, await StatusReportsAsync(id));
    }

    [Fact]
    public async Task A_deleting_cluster_is_always_reported_on_since_finalization_reports_are_what_ends_the_deletion()
    {
        var cluster = await user.CreateClusterAsync(ApiCalls.Unique("repeat-del"));
        var href = cluster["href"].Text();
        var id = Guid.Parse(cluster["id"].Text());
        using (var delete = await user.DeleteAsync(href)) { Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode); }
        var wire = new ControllerWire();
        var dns = Dns(wire);

        // DNS finalizes after the operator client, which has not: each handling reports the same wait.
        await dns.HandleAsync(Event(id), TestContext.Current.CancellationToken);
        await dns.HandleAsync(Event(id), TestContext.Current.CancellationToken);

        Assert.Equal([(HttpStatusCode.OK, ""), (HttpStatusCode.OK, "")], wire.Reports);
    }

    private Task<long> StatusReportsAsync(Guid id) => api.ScalarAsync<long>(
        "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND action = 'status-report' AND actor = @actor", ("id", id), ("actor", ControllerNames.DnsManagement));

    private DnsManagementController Dns(ControllerWire wire) =>
        new(wire.Client(api), requeue, new SimulatedDnsProvider(new SimulatedFaults(Options.Create(new ProviderOptions()), TimeProvider.System)),
            NullLogger<DnsManagementController>.Instance);

    private static ClusterEvent Event(Guid clusterId) => new(Guid.NewGuid(), EventTypes.ClusterReconcile, clusterId, null, 1);

    public void Dispose() => requeue.Dispose();
}
