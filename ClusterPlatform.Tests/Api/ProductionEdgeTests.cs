namespace ClusterPlatform.Tests.Api;

/// <summary>The edge outside Development: HSTS on top of the other headers, and no browser origin allowed by default.</summary>
public sealed class ProductionEdgeTests(ProductionEdgeTests.ProductionApiServer api) : IClassFixture<ProductionEdgeTests.ProductionApiServer>
{
    public sealed class ProductionApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        protected override string EnvironmentName => "Production";
    }

    [Fact]
    public async Task Responses_carry_hsts_and_the_security_headers_outside_development()
    {
        using var health = await api.Anonymous().GetAsync("/health");
        using var unauthenticated = await api.Anonymous().GetAsync(ApiCalls.Clusters);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Unauthorized), (health.StatusCode, unauthenticated.StatusCode));
        foreach (var response in new[] { health, unauthenticated })
        {
            Assert.Equal("max-age=31536000; includeSubDomains", HttpHardeningTests.Header(response, "Strict-Transport-Security"));
            Assert.All(HttpHardeningTests.ApiHeaders, h => HttpHardeningTests.Header(response, h));
        }
    }

    [Fact]
    public async Task Kestrels_own_refusals_carry_hsts_too_outside_development()
    {
        var rejection = Assert.Single(await RawHttp.ExchangeAsync(api.Anonymous().BaseAddress!, "GARBAGE\r\n\r\n"));

        Assert.Equal(400, rejection.Status);
        KestrelRejectionTests.AssertEdge(rejection.Headers);
        Assert.Equal("max-age=31536000; includeSubDomains", rejection.Headers["strict-transport-security"]);
    }

    [Fact]
    public async Task A_refused_token_is_not_told_why_outside_development()
    {
        // Signed with a key this Api does not trust, and expired: in Development the description says so.
        using var response = await api.WithToken(TestTokens.Create("dev", "acme", ["user"], DateTime.UtcNow.AddMinutes(-10))).GetAsync(ApiCalls.Clusters);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var challenge = string.Join(", ", response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        Assert.StartsWith("Bearer", challenge, StringComparison.Ordinal);
        Assert.DoesNotContain("error_description", challenge, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Server"), "a Server header");
    }

    [Fact]
    public async Task No_origin_is_allowed_by_default_not_even_localhost()
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, ApiCalls.Clusters);
        request.Headers.Add("Origin", "http://localhost:3000");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await api.Anonymous().SendAsync(request);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
