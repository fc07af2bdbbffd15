extern alias controllers;

using Polly;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The graph API as the release-image provider meets it: first that <see cref="FakeUpdateGraph"/>
/// keeps the policy engine's rules (so the provider's tests prove something), then how
/// <c>UpdateGraphClient</c> reads each kind of answer.
/// </summary>
public sealed class ReleaseImageUpdateGraphApiTests
{
    private static async Task<(int Status, string? ContentType, JsonNode? Body)> GetAsync(LocalApiServer server, string pathAndQuery, string? accept = "application/json")
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseAddress, pathAndQuery));
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await http.SendAsync(request, Cancellation);
        var text = await response.Content.ReadAsStringAsync(Cancellation);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    private static async Task<LocalApiServer> StartFakeAsync() => await LocalApiServer.StartAsync(new FakeUpdateGraph().Map);

    [Theory]
    [InlineData(null, "application/vnd.redhat.cincinnati.v1+json")]
    [InlineData("application/json", "application/json")]
    [InlineData("application/vnd.redhat.cincinnati.v1+json", "application/vnd.redhat.cincinnati.v1+json")]
    [InlineData("*/*", "application/json")]
    [InlineData("application/*", "application/json")]
    public async Task The_fake_serves_the_media_types_the_policy_engine_accepts(string? accept, string answered)
    {
        await using var server = await StartFakeAsync();

        var (status, contentType, body) = await GetAsync(server, $"{FakeUpdateGraph.GraphPath}?channel=stable-4.22&arch=multi", accept);

        Assert.Equal(200, status);
        Assert.Equal(answered, contentType);
        Assert.Equal(1, (int?)body?["version"]);
    }

    [Theory]
    [InlineData("text/html")]
    [InlineData("application/xml")]
    // The policy engine compares the whole header value; it is no full Accept parser.
    [InlineData("application/json, text/plain")]
    public async Task The_fake_refuses_other_accept_headers_with_406(string accept)
    {
        await using var server = await StartFakeAsync();

        var (status, _, body) = await GetAsync(server, $"{FakeUpdateGraph.GraphPath}?channel=stable-4.22", accept);

        Assert.Equal(406, status);
        Assert.Equal("invalid_content_type", (string?)body?["kind"]);
    }

    [Theory]
    [InlineData("", 400, "missing_params")]
    [InlineData("?arch=multi", 400, "missing_params")]
    [InlineData("?channel=Stable-4.22", 400, "invalid_params")]
    [InlineData("?channel=stable-4.22&arch=x86_64", 400, "invalid_params")]
    public async Task The_fake_refuses_missing_or_malformed_parameters_as_the_policy_engine_does(string query, int expected, string kind)
    {
        await using var server = await StartFakeAsync();

        var (status, _, body) = await GetAsync(server, FakeUpdateGraph.GraphPath + query);

        Assert.Equal(expected, status);
        Assert.Equal(kind, (string?)body?["kind"]);
    }

    [Fact]
    public async Task The_fake_answers_an_unknown_channel_with_an_empty_graph_and_ignores_unknown_parameters()
    {
        await using var server = await StartFakeAsync();

        var (status, _, body) = await GetAsync(server, $"{FakeUpdateGraph.GraphPath}?channel=stable-9.99&arch=multi");
        var (withExtra, _, extraBody) = await GetAsync(server, $"{FakeUpdateGraph.GraphPath}?channel=stable-4.22&arch=multi&id=ceb3b0bb&shoe=size");

        Assert.Equal(200, status);
        Assert.Empty(body!["nodes"]!.AsArray());
        Assert.Empty(body["edges"]!.AsArray());
        Assert.Equal(200, withExtra);
        Assert.NotEmpty(extraBody!["nodes"]!.AsArray());
    }

    [Fact]
    public async Task The_fake_filters_by_arch_with_amd64_by_default_and_edges_index_the_served_nodes()
    {
        await using var server = await StartFakeAsync();

        var (_, _, amd64) = await GetAsync(server, $"{FakeUpdateGraph.GraphPath}?channel=stable-4.22");
        var nodes = amd64!["nodes"]!.AsArray();

        Assert.All(nodes, node => Assert.Equal(FakeUpdateGraph.PayloadOf((string)node!["version"]!, "amd64"), (string?)node["payload"]));
        Assert.All(nodes, node => Assert.Contains("stable-4.22", (string?)node!["metadata"]!["io.openshift.upgrades.graph.release.channels"], StringComparison.Ordinal));
        Assert.All(amd64["edges"]!.AsArray(), edge => Assert.All(edge!.AsArray(), i => Assert.InRange((int)i!, 0, nodes.Count - 1)));
        Assert.Contains(amd64["edges"]!.AsArray(), edge => (string?)nodes[(int)edge![0]!]!["version"] == "4.21.9" && (string?)nodes[(int)edge[1]!]!["version"] == "4.22.1");
    }

    [Fact]
    public async Task The_fake_answers_other_paths_with_a_bare_404()
    {
        await using var server = await StartFakeAsync();

        var (status, _, body) = await GetAsync(server, "/api/upgrades_info/v2/graph?channel=stable-4.22");

        Assert.Equal(404, status);
        Assert.Null(body);
    }

    private static UpdateGraphClient Client(HttpClient http, Uri url, string architecture = "multi") =>
        new(http, Options.Create(new UpdateGraphOptions { Url = url, Architecture = architecture }));

    [Theory]
    [InlineData(FakeUpdateGraph.GraphPath, "Stable-4.22", "multi", "invalid_params")]
    [InlineData(FakeUpdateGraph.GraphPath, "stable-4.22", "x86_64", "invalid_params")]
    [InlineData("/api/upgrades_info/v2/graph", "stable-4.22", "multi", "HTTP 404")]
    public async Task The_client_reports_a_refused_request_as_permanent_with_the_policy_engines_reason(string path, string channel, string arch, string reason)
    {
        await using var server = await StartFakeAsync();
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<ProviderException>(() => Client(http, new Uri(server.BaseAddress, path), arch).GetAsync(channel, Cancellation));

        Assert.False(e.Transient);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"kind":"something","value":"else"}""")]
    [InlineData("""{"version":1,"nodes":[{"version":"4.22.1","payload":"p","metadata":{}}],"edges":[[0,1]],"conditionalEdges":[]}""")]
    [InlineData("""{"version":1,"nodes":[{"version":"4.22.1","payload":"p"},{"version":"4.22.1","payload":"q"}],"edges":[]}""")]
    [InlineData("""{"version":1,"nodes":[{"version":"4.22.1","payload":"p","metadata":{}}],"edges":[],"conditionalEdges":{}}""")]
    [InlineData("""{"version":1,"nodes":[{"version":"4.22.1","payload":"p","metadata":{}}],"edges":[],"conditionalEdges":[{"edges":[{"from":"4.22.1"}],"risks":[]}]}""")]
    public async Task The_client_treats_a_200_that_is_not_a_whole_graph_as_transient(string body)
    {
        await using var server = await LocalApiServer.StartAsync(app => app.MapGet(FakeUpdateGraph.GraphPath, () => Results.Text(body, "application/json")));
        using var http = new HttpClient();

        var e = await Assert.ThrowsAsync<ProviderException>(() => Client(http, new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath)).GetAsync("stable-4.22", Cancellation));

        Assert.True(e.Transient);
    }

    [Fact]
    public async Task The_client_reads_each_nodes_upgrades_from_the_edges_without_the_conditional_ones()
    {
        await using var server = await StartFakeAsync();
        using var http = new HttpClient();
        var client = Client(http, new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath));

        var stable = await client.GetAsync("stable-4.22", Cancellation);
        var fast = await client.GetAsync("fast-4.22", Cancellation);

        Assert.Equal(["4.22.1", "4.22.2"], stable.Nodes.Single(n => n.Version == "4.21.9").Upgrades);
        Assert.Equal(["4.22.2"], stable.Nodes.Single(n => n.Version == "4.22.1").Upgrades);
        Assert.Empty(stable.Nodes.Single(n => n.Version == "4.22.2").Upgrades);
        Assert.Equal(["4.22.3"], fast.Nodes.Single(n => n.Version == "4.22.2").Upgrades);
        // 4.22.1 -> 4.22.3 is served in edges and, with a risk, in conditionalEdges: only 4.22.2 is offered.
        Assert.Equal(["4.22.2"], fast.Nodes.Single(n => n.Version == "4.22.1").Upgrades);
        Assert.All(fast.Nodes, n => Assert.Equal(FakeUpdateGraph.PayloadOf(n.Version, "multi"), n.Payload));
    }

    [Fact]
    public async Task The_client_reads_a_graph_without_conditional_edges_as_older_policy_engines_serve_it()
    {
        await using var server = await LocalApiServer.StartAsync(app => app.MapGet(FakeUpdateGraph.GraphPath, () => Results.Text(
            """{"version":1,"nodes":[{"version":"4.22.1","payload":"a","metadata":{}},{"version":"4.22.2","payload":"b","metadata":{}}],"edges":[[0,1],[0,1]]}""",
            "application/json")));
        using var http = new HttpClient();

        var graph = await Client(http, new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath)).GetAsync("stable-4.22", Cancellation);

        Assert.Equal(["4.22.2"], graph.Nodes[0].Upgrades);
        Assert.Empty(graph.Nodes[1].Upgrades);
    }

    [Fact]
    public async Task The_client_reports_a_resilience_handler_timeout_as_transient()
    {
        // The applications add the standard resilience handler to every HttpClient (ServiceDefaults);
        // its timeouts throw Polly's TimeoutRejectedException rather than TaskCanceledException.
        var graph = new FakeUpdateGraph { Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var server = await LocalApiServer.StartAsync(graph.Map);
        var services = new ServiceCollection();
        services.AddHttpClient("graph").AddResilienceHandler("timeout", pipeline => pipeline.AddTimeout(TimeSpan.FromMilliseconds(100)));
        await using var provider = services.BuildServiceProvider();
        using var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("graph");

        var e = await Assert.ThrowsAsync<ProviderException>(() => Client(http, new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath)).GetAsync("stable-4.22", Cancellation));
        graph.Hold.SetResult();

        Assert.True(e.Transient);
        Assert.IsAssignableFrom<ExecutionRejectedException>(e.InnerException);
    }

    [Fact]
    public async Task The_client_sends_only_channel_and_arch_and_accept_application_json()
    {
        string? accept = null;
        await using var server = await LocalApiServer.StartAsync(app => app.MapGet(FakeUpdateGraph.GraphPath, (HttpRequest request) =>
        {
            accept = request.Headers.Accept.ToString();
            return Results.Text("""{"version":1,"nodes":[],"edges":[],"conditionalEdges":[]}""", "application/json");
        }));
        using var http = new HttpClient();

        var graph = await Client(http, new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath)).GetAsync("eus-4.22", Cancellation);

        Assert.Equal(0, graph.NodeCount);
        Assert.Equal("application/json", accept);
        Assert.Equal([$"GET {FakeUpdateGraph.GraphPath}?channel=eus-4.22&arch=multi -> 200"], server.Log);
    }
}
