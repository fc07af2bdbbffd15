using System.Collections.Concurrent;
using ClusterPlatform.Api.AutoUpgrades;
using ClusterPlatform.Tests.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using static ClusterPlatform.Tests.AutoUpgrades.UpgradePolicyValidationTests;

namespace ClusterPlatform.Tests.AutoUpgrades;

/// <summary>
/// Automatic patch upgrades on the real Api and PostgreSQL, over the simulated update graph's catalog
/// (stable 4.22: 4.22.0 → 4.22.1 (disabled), 4.22.2, 4.22.3; 4.22.3 → 4.23.3 only). Each test runs
/// passes of its own <see cref="AutomaticUpgrades"/> at a chosen instant (a FakeTimeProvider); the
/// Api's own passes run once at its start and then hourly, so they never act on a test's clusters.
/// Clusters are made settled the way the platform makes them: every required controller reports
/// Available, the operator client with the version HyperShift runs (<c>data.version</c>).
/// </summary>
public sealed class AutomaticUpgradeTests(AutomaticUpgradeTests.Server api) : IClassFixture<AutomaticUpgradeTests.Server>
{
    /// <summary>An Api whose own automatic upgrades pass once at start (before any cluster exists), then hourly.</summary>
    public sealed class Server(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["AutomaticUpgrades:Interval"] = "01:00:00",
        };
    }

    // Saturday 5 December 2026. The window most tests use: Saturdays 02:00–06:00 UTC.
    private static readonly DateTimeOffset SaturdayThreeAm = new(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);
    private static readonly JsonObject SaturdayNight = Window(["Saturday"], "02:00", 4, "UTC");

    private readonly HttpClient client = api.As("user", ApiCalls.Unique("org"));
    private readonly HttpClient admin = api.As("admin", "ops");
    private readonly IReadOnlyDictionary<string, HttpClient> controllers = Status.Controllers.Clients(api);
    private readonly ConcurrentQueue<string> logs = new();

    [Fact]
    public async Task Inside_the_window_a_settled_cluster_moves_one_step_to_the_newest_enabled_patch()
    {
        var cluster = await CreateSettledAsync("inside", "4.22.0", OptIn(SaturdayNight));

        await PassAsync(SaturdayThreeAm);

        // 4.22.3, the newest patch with an edge from 4.22.0; not 4.23.3 (a minor), and not via 4.22.2.
        var after = await client.GetObjectAsync(cluster.Href);
        Assert.Equal("4.22.3", after["spec"]!["release"]!["version"].Text());
        Assert.Equal(2, (long)after["generation"]!);
        Assert.Equal("platform update 2 automatic patch upgrade from 4.22.0 to 4.22.3 in the maintenance window", await api.ScalarAsync<string>(
            "SELECT actor || ' ' || action || ' ' || generation || ' ' || reason FROM audit_log WHERE cluster_id = @id ORDER BY id DESC LIMIT 1",
            ("id", cluster.Id)));
        Assert.Equal(1, await UpdatedEventsAsync(cluster.Id, generation: 2));
        Assert.Contains($"Automatic patch upgrade of cluster {cluster.Id} from 4.22.0 to 4.22.3", logs);
        // The relay, woken by the pass, publishes it to the emulator like any other event.
        await Wait.UntilAsync(async () => await api.ScalarAsync<long>(
                "SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.updated' AND published_at IS NOT NULL", ("id", cluster.Id)) == 1,
            TimeSpan.FromSeconds(30), "the cluster.updated event to be published");

        // Until the operator client reports 4.22.3 running, the cluster is upgrading, not settled: no second step.
        await PassAsync(SaturdayThreeAm.AddMinutes(1));
        Assert.Equal(2, (long)(await client.GetObjectAsync(cluster.Href))["generation"]!);
    }

    [Fact]
    public async Task Outside_the_window_nothing_happens()
    {
        var cluster = await CreateSettledAsync("outside", "4.22.0", OptIn(SaturdayNight));

        // The window's edges: it opens at 02:00 and is closed at 06:00; Sunday is not one of its days.
        await PassAsync(SaturdayThreeAm.AddHours(-1).AddTicks(-1));
        await PassAsync(SaturdayThreeAm.AddHours(3));
        await PassAsync(SaturdayThreeAm.AddDays(1));

        await AssertUnchangedAsync(cluster, "4.22.0");
    }

    [Fact]
    public async Task The_window_opens_at_its_start_time()
    {
        var cluster = await CreateSettledAsync("edge", "4.22.0", OptIn(SaturdayNight));

        await PassAsync(SaturdayThreeAm.AddHours(-1));

        Assert.Equal("4.22.3", (await client.GetObjectAsync(cluster.Href))["spec"]!["release"]!["version"].Text());
    }

    [Fact]
    public async Task A_cluster_that_is_not_settled_is_not_upgraded()
    {
        // Running 4.22.0 while its spec asks for 4.22.2: an upgrade is under way.
        var upgrading = await CreateAsync("upgrading", "4.22.2", OptIn(SaturdayNight));
        await ReportAsync(upgrading, generation: 1, running: "4.22.0", available: true);
        // Running its version, but not Ready: the operator client reports Available=False.
        var notReady = await CreateAsync("not-ready", "4.22.0", OptIn(SaturdayNight));
        await ReportAsync(notReady, generation: 1, running: "4.22.0", available: false);
        // Ready, but HyperShift has reported no version yet.
        var unknown = await CreateAsync("unknown", "4.22.0", OptIn(SaturdayNight));
        await controllers.ReportAllAsync(unknown.Href, 1, ControllerNames.All, "Available=True");

        await PassAsync(SaturdayThreeAm);

        await AssertUnchangedAsync(upgrading, "4.22.2");
        await AssertUnchangedAsync(notReady, "4.22.0");
        await AssertUnchangedAsync(unknown, "4.22.0");
    }

    [Fact]
    public async Task A_cluster_that_did_not_opt_in_is_not_upgraded()
    {
        var optedOut = await CreateSettledAsync("opted-out", "4.22.0",
            new JsonObject { ["automaticPatchUpgrades"] = false, ["maintenanceWindow"] = SaturdayNight.DeepClone() });
        var noPolicy = await CreateSettledAsync("no-policy", "4.22.0", null);

        await PassAsync(SaturdayThreeAm);

        await AssertUnchangedAsync(optedOut, "4.22.0");
        await AssertUnchangedAsync(noPolicy, "4.22.0");
    }

    [Fact]
    public async Task A_disabled_patch_is_skipped_and_a_minor_edge_is_never_taken()
    {
        // 4.22.1 is disabled by the graph; an admin disables 4.22.3 too.
        var skipping = await CreateSettledAsync("skipping", "4.22.0", OptIn(SaturdayNight));
        var stuck = await CreateSettledAsync("stuck", "4.22.2", OptIn(SaturdayNight));
        // 4.22.3's only edge is the minor one to 4.23.3.
        var newest = await CreateSettledAsync("newest", "4.22.3", OptIn(SaturdayNight));
        await SetEnabledAsync("4.22.3", false);
        try
        {
            await PassAsync(SaturdayThreeAm);
        }
        finally
        {
            await SetEnabledAsync("4.22.3", true);
        }

        Assert.Equal("4.22.2", (await client.GetObjectAsync(skipping.Href))["spec"]!["release"]!["version"].Text());
        await AssertUnchangedAsync(stuck, "4.22.2");
        await AssertUnchangedAsync(newest, "4.22.3");
    }

    [Fact]
    public async Task The_patch_comes_from_the_clusters_own_channel_group()
    {
        // fast has one patch more than stable: 4.22.4, which stable does not offer.
        var fast = await CreateAsync("fast", "4.22.0", OptIn(SaturdayNight), channelGroup: "fast");
        await ReportAsync(fast, generation: 1, running: "4.22.0", available: true);

        await PassAsync(SaturdayThreeAm);

        var release = (await client.GetObjectAsync(fast.Href))["spec"]!["release"]!;
        Assert.Equal("4.22.4", release["version"].Text());
        Assert.Equal("fast", release["channelGroup"].Text());
    }

    [Fact]
    public async Task A_window_that_crosses_midnight_is_open_on_the_next_day_until_it_closes()
    {
        // Saturdays 22:00 for 4 hours: until Sunday 02:00.
        var window = Window(["Saturday"], "22:00", 4, "UTC");
        var late = await CreateSettledAsync("late", "4.22.0", OptIn(window));
        var closed = await CreateSettledAsync("closed", "4.22.0", OptIn(window));

        await PassAsync(new DateTimeOffset(2026, 12, 6, 2, 0, 0, TimeSpan.Zero));
        await AssertUnchangedAsync(closed, "4.22.0");

        await PassAsync(new DateTimeOffset(2026, 12, 6, 1, 30, 0, TimeSpan.Zero));
        Assert.Equal("4.22.3", (await client.GetObjectAsync(late.Href))["spec"]!["release"]!["version"].Text());
    }

    [Fact]
    public async Task The_window_is_read_in_its_own_time_zone()
    {
        // Mondays 09:00–11:00 in Tokyo (UTC+9 all year) are Mondays 00:00–02:00 UTC.
        var tokyo = await CreateSettledAsync("tokyo", "4.22.0", OptIn(Window(["Monday"], "09:00", 2, "Asia/Tokyo")));

        // Monday 09:30 UTC is 18:30 in Tokyo: outside, though a UTC reading would be inside.
        await PassAsync(new DateTimeOffset(2026, 12, 7, 9, 30, 0, TimeSpan.Zero));
        await AssertUnchangedAsync(tokyo, "4.22.0");

        // Sunday 2026-12-06 00:30 UTC is Sunday 09:30 in Tokyo: outside, and Monday 00:30 UTC is inside.
        await PassAsync(new DateTimeOffset(2026, 12, 6, 0, 30, 0, TimeSpan.Zero));
        await AssertUnchangedAsync(tokyo, "4.22.0");
        await PassAsync(new DateTimeOffset(2026, 12, 7, 0, 30, 0, TimeSpan.Zero));
        Assert.Equal("4.22.3", (await client.GetObjectAsync(tokyo.Href))["spec"]!["release"]!["version"].Text());
    }

    [Fact]
    public async Task Two_replicas_passing_together_upgrade_each_cluster_once()
    {
        var clusters = new List<TestCluster>();
        for (var i = 0; i < 6; i++)
        {
            clusters.Add(await CreateSettledAsync($"race-{i}", "4.22.0", OptIn(SaturdayNight)));
        }

        var one = NewService(SaturdayThreeAm, batchSize: 2);
        var two = NewService(SaturdayThreeAm, batchSize: 2);
        await Task.WhenAll(one.RunOnceAsync(Cancellation), two.RunOnceAsync(Cancellation));

        foreach (var cluster in clusters)
        {
            Assert.Equal(2, (long)(await client.GetObjectAsync(cluster.Href))["generation"]!);
            Assert.Equal(1, await UpdatedEventsAsync(cluster.Id, generation: 2));
            Assert.Equal(1L, await api.ScalarAsync<long>(
                "SELECT count(*) FROM audit_log WHERE cluster_id = @id AND actor = 'platform'", ("id", cluster.Id)));
        }
    }

    [Fact]
    public async Task The_hosted_service_passes_on_its_interval_of_the_injected_time()
    {
        var cluster = await CreateSettledAsync("ticking", "4.22.0", OptIn(SaturdayNight));
        var time = new FakeTimeProvider(SaturdayThreeAm.AddHours(-2));
        var service = NewService(time, TimeSpan.FromMinutes(30));
        await service.StartAsync(Cancellation);
        try
        {
            // The first pass, at 01:00, is before the window; the timer's pass at 02:00 is in it.
            time.Advance(TimeSpan.FromMinutes(30));
            await AssertUnchangedAsync(cluster, "4.22.0");
            time.Advance(TimeSpan.FromMinutes(30));
            await Wait.UntilAsync(async () => (long)(await client.GetObjectAsync(cluster.Href))["generation"]! == 2,
                TimeSpan.FromSeconds(30), "the 02:00 pass to upgrade the cluster");
        }
        finally
        {
            await service.StopAsync(Cancellation);
        }
    }

    [Fact]
    public void The_opening_of_a_window_on_a_night_the_clocks_skip_is_moved_on_by_the_jump()
    {
        // Berlin springs forward on Sunday 29 March 2026 at 02:00 (01:00 UTC) to 03:00: a window opening
        // at 02:30 opens at 03:30 CEST (01:30 UTC). Pure time arithmetic: no database.
        var window = new MaintenanceWindow(["Sunday"], "02:30", 1, "Europe/Berlin");
        Assert.False(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 3, 29, 1, 29, 0, TimeSpan.Zero)));
        Assert.True(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero)));
        Assert.False(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 3, 29, 2, 30, 0, TimeSpan.Zero)));
        // On an ordinary Sunday it is 02:30 CET (01:30 UTC in winter).
        Assert.True(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 3, 22, 1, 45, 0, TimeSpan.Zero)));
        Assert.False(MaintenanceWindows.Contains(window, new DateTimeOffset(2026, 3, 22, 0, 45, 0, TimeSpan.Zero)));
    }

    private sealed record TestCluster(Guid Id, string Href);

    /// <summary>One pass at <paramref name="at"/>. It acts on every cluster of the class's database; each test asserts on its own.</summary>
    private async Task PassAsync(DateTimeOffset at) => await NewService(at).RunOnceAsync(Cancellation);

    private AutomaticUpgrades NewService(DateTimeOffset at, int batchSize = 500) => NewService(new FakeTimeProvider(at), TimeSpan.FromHours(1), batchSize);

    private AutomaticUpgrades NewService(TimeProvider time, TimeSpan interval, int batchSize = 500) => new(
        api.Services.GetRequiredService<AutomaticUpgradeStore>(), api.Services.GetRequiredService<NpgsqlDataSource>(),
        Options.Create(new AutomaticUpgradesOptions { Interval = interval, BatchSize = batchSize }), time,
        LoggerFactory.Create(logging => logging.AddProvider(new CapturingLoggerProvider(logs))).CreateLogger<AutomaticUpgrades>());

    private async Task<TestCluster> CreateAsync(string name, string version, JsonObject? policy, string channelGroup = "stable")
    {
        await WaitForCatalogAsync();
        var created = await client.CreateClusterAsync(ApiCalls.Unique(name), body =>
        {
            Bodies.With(body, "spec.release.version", version);
            Bodies.With(body, "spec.release.channelGroup", channelGroup);
            if (policy is not null)
            {
                Bodies.With(body, "spec.upgradePolicy", policy);
            }
        });
        return new TestCluster(Guid.Parse(created["id"].Text()), created["href"].Text());
    }

    /// <summary>A cluster at <paramref name="version"/>, Ready and running it.</summary>
    private async Task<TestCluster> CreateSettledAsync(string name, string version, JsonObject? policy)
    {
        var cluster = await CreateAsync(name, version, policy);
        await ReportAsync(cluster, generation: 1, running: version, available: true);
        var status = (await client.GetObjectAsync(cluster.Href))["status"]!;
        Assert.Equal("Ready", status.Phase());
        return cluster;
    }

    /// <summary>
    /// Every required controller reports at <paramref name="generation"/>; the operator client with the version
    /// HyperShift runs, as its report carries it (docs/api.md: <c>data.version</c> from the HostedCluster's status.version).
    /// </summary>
    private async Task ReportAsync(TestCluster cluster, long generation, string running, bool available)
    {
        await controllers.ReportAllAsync(cluster.Href, generation,
            ControllerNames.All.Where(n => n != ControllerNames.OperatorClient), "Available=True");
        var at = "2026-12-01T10:00:00Z";
        var report = StatusCalls.Report(ControllerNames.OperatorClient, generation, available ? "Available=True" : "Available=False:hosted cluster not available")
            .WithData(new JsonObject
            {
                ["version"] = new JsonObject
                {
                    ["current"] = running,
                    ["desired"] = running,
                    ["history"] = new JsonArray(new JsonObject { ["version"] = running, ["state"] = "Completed", ["startedAt"] = at, ["completedAt"] = at }),
                },
            });
        await controllers[ControllerNames.OperatorClient].ReportAsync(cluster.Href, report);
    }

    private async Task AssertUnchangedAsync(TestCluster cluster, string version)
    {
        var current = await client.GetObjectAsync(cluster.Href);
        Assert.Equal(version, current["spec"]!["release"]!["version"].Text());
        Assert.Equal(1, (long)current["generation"]!);
        Assert.Equal(0, await UpdatedEventsAsync(cluster.Id, generation: null));
        Assert.DoesNotContain(logs, line => line.Contains(cluster.Id.ToString(), StringComparison.Ordinal));
    }

    private async Task<long> UpdatedEventsAsync(Guid clusterId, long? generation) => await api.ScalarAsync<long>(
        "SELECT count(*) FROM outbox WHERE cluster_id = @id AND type = 'cluster.updated' AND (@generation < 0 OR generation = @generation)",
        ("id", clusterId), ("generation", generation ?? -1L));

    private async Task SetEnabledAsync(string version, bool enabled)
    {
        using var put = await admin.PutAsync($"/api/v1/versions/{version}", Bodies.Json(new JsonObject { ["enabled"] = enabled }));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
    }

    /// <summary>The refresher fills the catalog at the Api's start; clusters are created once it has.</summary>
    private Task WaitForCatalogAsync() => Wait.UntilAsync(
        async () => await api.ScalarAsync<long>("SELECT count(*) FROM versions WHERE channel_group = 'stable'") > 0,
        TimeSpan.FromSeconds(30), "the version catalog to be filled");
}
