using System.Collections.Concurrent;
using ClusterPlatform.Api.Versions;
using ClusterPlatform.Tests.Providers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Versions;

/// <summary>
/// The version catalog with <c>Versions:Graph</c> = <c>Real</c>: the real Api and PostgreSQL reading
/// <see cref="FakeUpdateGraph"/> (the policy engine's rules, on a real local HTTP server) through the
/// shared update-graph client, and what it keeps when that server fails.
/// </summary>
public sealed class CincinnatiVersionGraphTests(CincinnatiVersionGraphTests.Server api) : IClassFixture<CincinnatiVersionGraphTests.Server>
{
    private readonly HttpClient reader = api.As("user", "acme");

    [Fact]
    public async Task A_refresh_fills_the_catalog_from_the_graph_api_with_its_unconditional_edges()
    {
        var stable = await ListAsync("stable");

        // Platform:SupportedVersions is 4.22 and 4.23: 4.21.9 is left out; 4.22.3 is not in stable yet; stable-4.23 has no nodes.
        Assert.Equal(["4.22.2", "4.22.1", "4.22.0"], stable.Select(v => v["version"].Text()));
        // The multi-arch payloads, by digest, as served (the client asks arch=multi).
        Assert.All(stable, v => Assert.Equal(FakeUpdateGraph.PayloadOf(v["version"].Text(), "multi"), v["releaseImage"].Text()));
        Assert.All(stable, v => Assert.True((bool)v["enabled"]!));
        Assert.Equal(["4.22.2"], stable.Where(v => (bool)v["default"]!).Select(v => v["version"].Text()));
        Assert.Equal(["4.22.3", "4.22.2", "4.22.1", "4.22.0"], (await ListAsync("fast")).Select(v => v["version"].Text()));
        Assert.Equal("4.22.0-rc.2", (await ListAsync("candidate"))[^1]["version"].Text());

        // The graph's edges are the catalog's upgrades, per channel group.
        Assert.Equal("4.22.1,4.22.2", await UpgradesAsync("stable", "4.22.0"));
        Assert.Equal("4.22.2", await UpgradesAsync("stable", "4.22.1"));
        Assert.Equal("", await UpgradesAsync("stable", "4.22.2"));
        Assert.Equal("4.22.3", await UpgradesAsync("fast", "4.22.2"));
        Assert.Equal("4.22.0", await UpgradesAsync("candidate", "4.22.0-rc.2"));
        // 4.22.1 -> 4.22.3 is in the graph's edges and its conditionalEdges (with a risk): not offered.
        Assert.Equal("4.22.2", await UpgradesAsync("fast", "4.22.1"));
        Assert.Equal("4.22.2", await UpgradesAsync("candidate", "4.22.1"));

        Assert.True(api.Graph.GraphRequests >= 6, $"{api.Graph.GraphRequests} graph requests: one per channel group and minor");
    }

    [Fact]
    public async Task A_release_not_by_digest_is_left_out_with_the_edges_to_it_and_logged()
    {
        await ListAsync("candidate");
        const string Tag = "quay.io/openshift-release-dev/ocp-release:4.22.4-multi";
        api.Graph.Publish("4.22.4", "multi", "candidate-4.22", payload: Tag);
        api.Graph.Publish("4.22.5", "multi", "candidate-4.22");
        api.Graph.Connect("4.22.3", "4.22.4");
        api.Graph.Connect("4.22.3", "4.22.5");

        await api.Services.GetRequiredService<VersionCatalogRefresher>().RefreshAsync(TestContext.Current.CancellationToken);

        var candidate = (await ListAsync("candidate")).Select(v => v["version"].Text()).ToList();
        Assert.Contains("4.22.5", candidate);
        Assert.DoesNotContain("4.22.4", candidate);
        Assert.Equal("4.22.5", await UpgradesAsync("candidate", "4.22.3"));
        Assert.Contains(api.Logs, line => line.Contains("4.22.4", StringComparison.Ordinal) && line.Contains(Tag, StringComparison.Ordinal)
            && line.Contains("not by digest", StringComparison.Ordinal));
    }

    [Fact]
    public async Task While_the_graph_api_fails_the_catalog_answers_from_postgres_and_a_create_still_validates()
    {
        var before = (await ListAsync("stable")).Select(v => $"{v["version"].Text()} {v["releaseImage"].Text()} {v["default"]}").ToList();
        api.Graph.OutageStatus = 503;
        try
        {
            var failure = await Assert.ThrowsAsync<ProviderException>(() =>
                api.Services.GetRequiredService<VersionCatalogRefresher>().RefreshAsync(TestContext.Current.CancellationToken));
            Assert.True(failure.Transient);
            Assert.Contains("HTTP 503", failure.Message, StringComparison.Ordinal);

            Assert.Equal(before, (await ListAsync("stable")).Select(v => $"{v["version"].Text()} {v["releaseImage"].Text()} {v["default"]}"));
            Assert.Equal("4.22.1,4.22.2", await UpgradesAsync("stable", "4.22.0"));

            // A create is checked against the catalog in PostgreSQL, never the graph: 4.22.3 is in fast, not yet in stable.
            var user = api.As("user", ApiCalls.Unique("org"));
            var created = await user.CreateClusterAsync(ApiCalls.Unique("graph-down"), body => body.With("spec.release.version", "4.22.2"));
            Assert.Equal("4.22.2", created["spec"]!["release"]!["version"].Text());
            using (var refused = await user.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("graph-down")).With("spec.release.version", "4.22.3"))))
            {
                Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
                var problem = await refused.ReadObjectAsync();
                Assert.Equal("version-not-enabled", problem["code"].Text());
                Assert.Contains("4.22.2, 4.22.1, 4.22.0", problem["detail"].Text(), StringComparison.Ordinal);
            }

            var fast = await user.CreateClusterAsync(ApiCalls.Unique("graph-down"), body => body.With("spec.release.version", "4.22.3").With("spec.release.channelGroup", "fast"));
            Assert.Equal("fast", fast["spec"]!["release"]!["channelGroup"].Text());
        }
        finally
        {
            api.Graph.OutageStatus = null;
        }
    }

    [Fact]
    public async Task A_stopped_graph_server_is_a_transient_failure_of_the_read_not_an_empty_channel()
    {
        var graph = new FakeUpdateGraph();
        var server = await LocalApiServer.StartAsync(graph.Map);
        var url = new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath);
        using var http = new HttpClient();
        var reader = new CincinnatiVersionGraph(
            new UpdateGraphClient(http, Options.Create(new UpdateGraphOptions { Url = url, Architecture = "multi" })),
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CincinnatiVersionGraph>.Instance);
        Assert.NotEmpty(await reader.GetAsync("stable-4.22", TestContext.Current.CancellationToken));

        await server.DisposeAsync();

        var failure = await Assert.ThrowsAsync<ProviderException>(() => reader.GetAsync("stable-4.22", TestContext.Current.CancellationToken));
        Assert.True(failure.Transient);
    }

    private Task<List<JsonNode>> ListAsync(string channelGroup) => reader.ListVersionsAsync(channelGroup);

    private Task<string> UpgradesAsync(string channelGroup, string version) => api.ScalarAsync<string>(
        "SELECT array_to_string(upgrades, ',') FROM versions WHERE channel_group = @group AND version = @version",
        ("group", channelGroup), ("version", version));

    /// <summary>The Api with <c>Versions:Graph</c> = <c>Real</c> pointed at a <see cref="FakeUpdateGraph"/> it starts first.</summary>
    public sealed class Server(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        private readonly ConcurrentQueue<string> logs = new();
        private LocalApiServer? graphServer;

        public FakeUpdateGraph Graph { get; } = new();

        /// <summary>What <see cref="CincinnatiVersionGraph"/> logged.</summary>
        public IReadOnlyCollection<string> Logs => logs;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Versions:Graph"] = "Real",
            ["Versions:GraphUrl"] = new Uri(graphServer!.BaseAddress, FakeUpdateGraph.GraphPath).AbsoluteUri,
        };

        protected override async Task BeforeStartAsync() => graphServer = await LocalApiServer.StartAsync(Graph.Map);

        protected override void ConfigureWebHost(IWebHostBuilder web) =>
            web.ConfigureServices(services => services.AddLogging(logging =>
                logging.AddProvider(new CapturingLoggerProvider(logs, typeof(CincinnatiVersionGraph).FullName))));

        protected override async Task AfterStopAsync()
        {
            if (graphServer is not null)
            {
                await graphServer.DisposeAsync();
            }
        }
    }
}
