using Microsoft.AspNetCore.Hosting;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// What Kestrel answers itself, before any middleware (a malformed request line or header,
/// an over-long URI, too large headers, headers that never end), sent over raw TCP because no HTTP
/// client sends such requests. Each answer carries the security headers, an X-Request-Id and a problem
/// body with a stable code, and no Server header.
/// </summary>
public sealed class KestrelRejectionTests(KestrelRejectionTests.SlowHeadersApiServer api) : IClassFixture<KestrelRejectionTests.SlowHeadersApiServer>
{
    /// <summary>An Api that gives up on a request's headers after a second (Kestrel's default is 30 s), so a 408 comes quickly.</summary>
    public sealed class SlowHeadersApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        protected override void ConfigureWebHost(IWebHostBuilder web) =>
            web.ConfigureKestrel(kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1));
    }

    public static TheoryData<string, string, int, string> Rejections => new()
    {
        { "a malformed request line", "GARBAGE\r\n\r\n", 400, "bad-request" },
        { "a header without a colon", "GET /api/v1/clusters HTTP/1.1\r\nHost: api\r\nNo colon here\r\n\r\n", 400, "bad-request" },
        { "a NUL in a header", "GET /api/v1/clusters HTTP/1.1\r\nHost: api\r\nX-Bad: a\0b\r\n\r\n", 400, "bad-request" },
        { "an over-long URI", $"GET /{new string('a', 10_000)} HTTP/1.1\r\nHost: api\r\n\r\n", 414, "uri-too-long" },
        { "too large headers", $"GET /api/v1/clusters HTTP/1.1\r\nHost: api\r\nX-Big: {new string('a', 40_000)}\r\n\r\n", 431, "headers-too-large" },
        { "headers that never end", "GET /api/v1/clusters HTTP/1.1\r\nHost: api\r\n", 408, "request-timeout" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Kestrels_own_refusals_carry_the_edge_headers_and_a_problem_body(string what, string request, int status, string code)
    {
        var rejection = Assert.Single(await RawHttp.ExchangeAsync(api.Anonymous().BaseAddress!, request));
        Assert.True(rejection.Status == status, $"{what}: {rejection.Status}");
        AssertEdge(rejection.Headers);
        Assert.Equal("application/problem+json", rejection.Headers["content-type"]);
        var problem = JsonNode.Parse(rejection.Body)!;
        Assert.Equal((status, code), ((int)problem["status"]!, problem["code"].Text()));
        Assert.Equal(rejection.Headers["x-request-id"], problem["traceId"].Text());
    }

    [Fact]
    public async Task On_a_kept_alive_connection_the_applications_answer_stays_as_it_was_and_the_refusal_after_it_is_rewritten()
    {
        var responses = await RawHttp.ExchangeAsync(api.Anonymous().BaseAddress!, "GET /alive HTTP/1.1\r\nHost: api\r\n\r\nGARBAGE\r\n\r\n");
        Assert.Equal([200, 400], responses.Select(r => r.Status));
        Assert.All(responses, r => AssertEdge(r.Headers));
        Assert.Equal("bad-request", JsonNode.Parse(responses[1].Body)!["code"].Text());
    }

    internal static void AssertEdge(Dictionary<string, string> headers)
    {
        Assert.All(HttpHardeningTests.ApiHeaders, h => Assert.True(headers.ContainsKey(h.ToLowerInvariant()), $"no {h}"));
        Assert.True(headers.ContainsKey("x-request-id"), "no X-Request-Id");
        Assert.False(headers.ContainsKey("server"), "a Server header");
    }
}
