using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// The Api's edge: security headers on every kind of response, request ids and request
/// logs, CORS, per-identity rate limits with Retry-After, per-group request timeouts, and problem
/// details for unknown routes and methods.
/// </summary>
public sealed class HttpHardeningTests(HttpHardeningTests.EdgeApiServer api) : IClassFixture<HttpHardeningTests.EdgeApiServer>
{
    public static readonly string[] ApiHeaders = ["X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "Content-Security-Policy", "Cache-Control"];

    /// <summary>An Api with tight limits: writes 2 at once then 1 a second, and node pool requests time out after 200 ms.</summary>
    public sealed class EdgeApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        public const string AllowedOrigin = "https://console.example.com";

        private readonly ConcurrentQueue<string> logs = new();

        public IReadOnlyCollection<string> Logs => logs;

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Http:RateLimits:WritesPerSecond"] = "1",
            ["Http:RateLimits:WriteBurst"] = "2",
            ["Http:Timeouts:Groups:nodepools"] = "00:00:00.200",
            ["Http:Cors:AllowedOrigins:0"] = AllowedOrigin,
        };

        protected override void ConfigureWebHost(IWebHostBuilder web) =>
            web.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(
                logs, "ClusterPlatform.Api.Requests", (_, line) => System.Text.RegularExpressions.Regex.Replace(line, @" in [0-9.]+ ms", "")))));
    }

    [Fact]
    public async Task A_200_a_404_and_a_504_all_carry_the_security_headers_and_a_request_id()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        using var ok = await client.GetAsync(ApiCalls.Clusters);
        using var notFound = await client.GetAsync($"{ApiCalls.Clusters}/{Guid.CreateVersion7()}");
        HttpResponseMessage timedOut;
        // A lock on the node pools table holds the list query past the group's 200 ms timeout.
        await using (var connection = new Npgsql.NpgsqlConnection(api.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(TestContext.Current.CancellationToken);
            await using (var lockTable = new Npgsql.NpgsqlCommand("LOCK TABLE node_pools IN ACCESS EXCLUSIVE MODE", connection, transaction))
            {
                await lockTable.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            timedOut = await client.GetAsync(ApiCalls.NodePools);
        }

        using var _ = timedOut;

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound, HttpStatusCode.GatewayTimeout), (ok.StatusCode, notFound.StatusCode, timedOut.StatusCode));
        Assert.Equal("timeout", (await timedOut.ReadObjectAsync())["code"].Text());
        foreach (var response in new[] { ok, notFound, timedOut })
        {
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Equal("DENY", Header(response, "X-Frame-Options"));
            Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
            Assert.Equal("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'", Header(response, "Content-Security-Policy"));
            Assert.Equal("no-store", Header(response, "Cache-Control"));
            Assert.Matches("^[0-9a-f]{32}$", Header(response, "X-Request-Id"));
            // Development: no HSTS (ProductionEdgeTests checks it is there outside Development).
            Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        }
    }

    [Fact]
    public async Task The_api_reference_page_gets_its_own_content_security_policy()
    {
        using var page = await api.Anonymous().GetAsync("/scalar");

        Assert.Contains("script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net", Header(page, "Content-Security-Policy"), StringComparison.Ordinal);
        Assert.Equal("DENY", Header(page, "X-Frame-Options"));
    }

    [Theory]
    [InlineData("trace-abc.123:4", "trace-abc.123:4")]
    [InlineData("has spaces", null)]
    [InlineData("a-request-id-that-is-far-too-long-to-be-echoed-into-a-header-and-a-log-line-because-it-is-longer-than-one-hundred-and-twenty-eight-chars", null)]
    public async Task A_sane_request_id_is_echoed_and_any_other_is_replaced(string sent, string? echoed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ApiCalls.Clusters);
        request.Headers.TryAddWithoutValidation("X-Request-Id", sent);

        using var response = await api.As("user", ApiCalls.Unique("org")).SendAsync(request);

        if (echoed is null)
        {
            Assert.Matches("^[0-9a-f]{32}$", Header(response, "X-Request-Id"));
        }
        else
        {
            Assert.Equal(echoed, Header(response, "X-Request-Id"));
        }
    }

    [Fact]
    public async Task Each_request_is_logged_with_method_route_status_subject_and_id_but_never_its_token()
    {
        var token = TestTokens.Create("logged-user", ApiCalls.Unique("org"), "user");
        var client = api.WithToken(token);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.Clusters}/{Guid.CreateVersion7()}");
        request.Headers.Add("X-Request-Id", "log-check-1");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        await Wait.UntilAsync(() => Task.FromResult(api.Logs.Any(l => l.Contains("log-check-1", StringComparison.Ordinal))), TimeSpan.FromSeconds(10), "the request's log line");
        Assert.Equal("GET /api/v1/clusters/{id:guid} -> 404 by logged-user (request log-check-1)", api.Logs.Single(l => l.Contains("log-check-1", StringComparison.Ordinal)));
        Assert.DoesNotContain(api.Logs, line => line.Contains(token, StringComparison.Ordinal) || line.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writes_over_the_limit_get_429_with_retry_after_while_reads_and_other_identities_go_on()
    {
        var org = ApiCalls.Unique("org");
        var client = api.As("user", org, "busy-writer");
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("limited"))));
            codes.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(int.Parse(response.Headers.RetryAfter!.ToString(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
                Assert.Equal("rate-limited", (await response.ReadObjectAsync())["code"].Text());
            }
        }

        // The burst of 2 passes; the third, in the same second, is refused.
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], codes);
        using (var read = await client.GetAsync(ApiCalls.Clusters)) { Assert.Equal(HttpStatusCode.OK, read.StatusCode); }
        using var other = await api.As("user", org, "quiet-writer").PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("other"))));
        Assert.Equal(HttpStatusCode.Created, other.StatusCode);
    }

    [Fact]
    public async Task Controllers_are_not_rate_limited()
    {
        var cluster = await api.As("user", ApiCalls.Unique("org"), "cluster-owner").CreateClusterAsync(ApiCalls.Unique("reported"));
        var controller = api.As("controller", null, "placement-controller");

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await controller.PutAsync($"{cluster["href"].Text()}/status",
                Bodies.Json(ClusterPlatform.Tests.Status.StatusCalls.Report("placement-controller", 1, "Available=True")));
            codes.Add(response.StatusCode);
        }

        // Twice the write burst, in well under a second.
        Assert.All(codes, code => Assert.Equal(HttpStatusCode.OK, code));
    }

    [Fact]
    public async Task Cors_allows_the_configured_origins_and_in_development_localhost()
    {
        using var allowed = await PreflightAsync(EdgeApiServer.AllowedOrigin);
        using var local = await PreflightAsync("http://localhost:3000");
        using var refused = await PreflightAsync("https://evil.example.com");

        Assert.Equal(EdgeApiServer.AllowedOrigin, Header(allowed, "Access-Control-Allow-Origin"));
        Assert.Equal("http://localhost:3000", Header(local, "Access-Control-Allow-Origin"));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Unknown_routes_and_methods_get_problem_details()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        using var unknown = await client.GetAsync("/api/v1/nothing-here");
        using var wrongMethod = await client.PatchAsync(ApiCalls.Clusters, Bodies.Json(new System.Text.Json.Nodes.JsonObject(), "application/merge-patch+json"));

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("not-found", (await unknown.ReadObjectAsync())["code"].Text());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("method-not-allowed", (await wrongMethod.ReadObjectAsync())["code"].Text());
        Assert.All(ApiHeaders, h => Assert.True(unknown.Headers.Contains(h) || unknown.Content.Headers.Contains(h), h));
    }

    private async Task<HttpResponseMessage> PreflightAsync(string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, ApiCalls.Clusters);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return await api.Anonymous().SendAsync(request);
    }

    internal static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : throw new Xunit.Sdk.XunitException($"{(int)response.StatusCode} response has no {name} header");
}
