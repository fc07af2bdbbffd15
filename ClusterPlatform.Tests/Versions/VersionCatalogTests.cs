using ClusterPlatform.Api.Versions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClusterPlatform.Tests.Versions;

/// <summary>
/// The version catalog on the real Api and PostgreSQL: filled by the refresher from the simulated
/// update graph, listed per channel group, edited by admins, and kept through a graph outage.
/// </summary>
public sealed class VersionCatalogTests(VersionCatalogTests.Server api) : IClassFixture<VersionCatalogTests.Server>
{
    private readonly HttpClient admin = api.As("admin", "ops");

    [Fact]
    public async Task The_refresher_fills_each_channel_group_from_the_simulated_graph()
    {
        var stable = await ListAsync("stable");
        // Platform:SupportedVersions is 4.22 and 4.23; stable has four patches of each.
        Assert.Equal(["4.23.3", "4.23.2", "4.23.1", "4.23.0", "4.22.3", "4.22.2", "4.22.1", "4.22.0"], stable.Select(v => v["version"].Text()));
        Assert.All(stable, v => Assert.Equal("stable", v["channelGroup"].Text()));
        Assert.All(stable, v => Assert.Matches("^quay\\.io/openshift-release-dev/ocp-release@sha256:[0-9a-f]{64}$", v["releaseImage"].Text()));
        Assert.Equal(["4.23.3"], stable.Where(v => (bool)v["default"]!).Select(v => v["version"].Text()));
        Assert.Contains(stable, v => v["version"].Text() == "4.22.1" && !(bool)v["enabled"]!);
        Assert.All(stable, v => Assert.Null(v["endOfLife"]));

        var fast = await ListAsync("fast");
        Assert.Equal("4.23.4", fast[0]["version"].Text());
        Assert.Equal(["4.23.4"], fast.Where(v => (bool)v["default"]!).Select(v => v["version"].Text()));

        using var document = await api.Anonymous().GetAsync("/openapi/v1.json");
        var paths = (await document.ReadObjectAsync())["paths"]!;
        Assert.NotNull(paths["/api/v1/versions"]!["get"]!["responses"]!["400"]);
        Assert.NotNull(paths["/api/v1/versions/{version}"]!["put"]!["responses"]!["404"]);
    }

    [Fact]
    public async Task The_simulated_graph_is_deterministic_with_patch_and_minor_edges()
    {
        var graph = new SimulatedVersionGraph();
        var first = await graph.GetAsync("stable-4.23", TestContext.Current.CancellationToken);
        var again = await graph.GetAsync("stable-4.23", TestContext.Current.CancellationToken);
        Assert.Equal(first.Select(n => (n.Version, n.Payload, string.Join(',', n.Upgrades), n.Enabled)), again.Select(n => (n.Version, n.Payload, string.Join(',', n.Upgrades), n.Enabled)));
        Assert.Equal(["4.23.1", "4.23.2", "4.23.3"], first.Single(n => n.Version == "4.23.0").Upgrades);
        Assert.Equal(["4.23.3"], first.Single(n => n.Version == "4.22.3").Upgrades); // the minor edge
        Assert.Empty(await graph.GetAsync("nightly-4.23", TestContext.Current.CancellationToken));

        // The catalog keeps each version's edges from every channel of its group.
        // 4.22.3 has no patch edge in stable-4.22 and a minor edge in stable-4.23.
        Assert.Equal("4.23.3", await api.ScalarAsync<string>(
            "SELECT array_to_string(upgrades, ',') FROM versions WHERE channel_group = 'stable' AND version = '4.22.3'"));
        Assert.Equal("4.22.2,4.22.3", await api.ScalarAsync<string>(
            "SELECT array_to_string(upgrades, ',') FROM versions WHERE channel_group = 'stable' AND version = '4.22.1'"));
    }

    [Fact]
    public async Task An_admin_disable_survives_a_refresh_and_is_audited()
    {
        await ListAsync("stable");
        using (var put = await admin.PutAsync("/api/v1/versions/4.22.2", Bodies.Json(new JsonObject { ["enabled"] = false })))
        {
            Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        }

        await api.Services.GetRequiredService<VersionCatalogRefresher>().RefreshAsync(TestContext.Current.CancellationToken);

        foreach (var group in new[] { "stable", "fast", "candidate" })
        {
            Assert.Contains(await ListAsync(group), v => v["version"].Text() == "4.22.2" && !(bool)v["enabled"]!);
        }

        Assert.Equal("admin@ops", await api.ScalarAsync<string>("SELECT actor FROM version_audit WHERE version = '4.22.2' ORDER BY id DESC LIMIT 1"));
    }

    [Fact]
    public async Task The_catalog_answers_from_postgres_while_the_graph_is_down()
    {
        var before = await ListAsync("candidate");
        api.Graph.Down = true;
        try
        {
            await Assert.ThrowsAsync<HttpRequestException>(() =>
                api.Services.GetRequiredService<VersionCatalogRefresher>().RefreshAsync(TestContext.Current.CancellationToken));
            var during = await ListAsync("candidate");
            Assert.Equal(before.Select(v => v["version"].Text()), during.Select(v => v["version"].Text()));
        }
        finally
        {
            api.Graph.Down = false;
        }
    }

    [Fact]
    public async Task Refusals_have_stable_problem_codes()
    {
        await ListAsync("stable");
        using (var bad = await admin.GetAsync("/api/v1/versions?channelGroup=nightly"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Equal("invalid-channel-group", (await bad.ReadObjectAsync())["code"].Text());
        }

        using (var byUser = await api.As("user", "acme").PutAsync("/api/v1/versions/4.22.0", Bodies.Json(new JsonObject { ["enabled"] = false })))
        {
            Assert.Equal(HttpStatusCode.Forbidden, byUser.StatusCode);
        }

        using (var unknown = await admin.PutAsync("/api/v1/versions/4.99.0", Bodies.Json(new JsonObject { ["enabled"] = false })))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("version-not-found", (await unknown.ReadObjectAsync())["code"].Text());
        }

        using (var badBody = await admin.PutAsync("/api/v1/versions/4.22.0", Bodies.Json(new JsonObject { ["enabled"] = "no", ["extra"] = 1 })))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badBody.StatusCode);
            Assert.Equal(["$.enabled", "$.extra"], (await badBody.ErrorPathsAsync()).Order());
        }

        using var byUserRead = await api.As("user", "acme").GetAsync("/api/v1/versions");
        Assert.Equal(HttpStatusCode.OK, byUserRead.StatusCode);
    }

    private Task<List<JsonNode>> ListAsync(string channelGroup) => admin.ListVersionsAsync(channelGroup);

    /// <summary>The Api with a graph that can be taken down: the simulated graph, or a refused connection.</summary>
    public sealed class Server(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        public SwitchableGraph Graph { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder web) =>
            web.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<IVersionGraph>(Graph)));
    }

    /// <summary>The simulated graph, failing as an unreachable server does while <see cref="Down"/>.</summary>
    public sealed class SwitchableGraph : IVersionGraph
    {
        private readonly SimulatedVersionGraph graph = new();

        private volatile bool down;

        public bool Down { get => down; set => down = value; }

        Task<IReadOnlyList<GraphVersion>> IVersionGraph.GetAsync(string channel, CancellationToken cancellationToken) =>
            Down ? throw new HttpRequestException("connection refused") : graph.GetAsync(channel, cancellationToken);
    }
}
