using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Hostile claims at the identity edge, with development tokens signed by the run's key (the production
/// schemes run the same check, <c>TokenClaims</c>): a token without one plain subject or with more than
/// one organization is 401; subjects and organizations with separators keep their idempotency keys
/// apart; the clock skew is 30 s; Development CORS allows only http(s) pages on this machine.
/// </summary>
public sealed class TokenClaimTests(ApiServer api) : IClassFixture<ApiServer>
{
    /// <summary>Claims as JSON text of the token's payload, since a JWT library will not write a duplicate name or an unpaired surrogate.</summary>
    public static TheoryData<string, string> UnusableTokens => new()
    {
        { "no sub", "\"org\":\"acme\",\"role\":\"user\"" },
        { "an empty sub", "\"sub\":\"\",\"org\":\"acme\",\"role\":\"user\"" },
        { "two subs", "\"sub\":[\"alice\",\"bob\"],\"org\":\"acme\",\"role\":\"user\"" },
        { "sub twice", "\"sub\":\"alice\",\"sub\":\"bob\",\"org\":\"acme\",\"role\":\"user\"" },
        { "a newline in sub", "\"sub\":\"alice\\nadmin\",\"org\":\"acme\",\"role\":\"user\"" },
        { "a NUL in sub", "\"sub\":\"alice\\u0000\",\"org\":\"acme\",\"role\":\"user\"" },
        { "a line separator in sub", "\"sub\":\"alice\\u2028x\",\"org\":\"acme\",\"role\":\"user\"" },
        { "an unpaired surrogate in sub", "\"sub\":\"alice\\ud800\",\"org\":\"acme\",\"role\":\"user\"" },
        { "two orgs", "\"sub\":\"alice\",\"org\":[\"acme\",\"globex\"],\"role\":\"user\"" },
        { "org twice", "\"sub\":\"alice\",\"org\":\"acme\",\"org\":\"globex\",\"role\":\"user\"" },
        { "a carriage return in org", "\"sub\":\"alice\",\"org\":\"acme\\rx\",\"role\":\"user\"" },
        { "an escape in org", "\"sub\":\"alice\",\"org\":\"acme\\u001b[31m\",\"role\":\"user\"" },
        { "a controller without sub", "\"role\":\"controller\"" },
    };

    [Fact]
    public async Task A_handmade_token_with_one_plain_subject_and_organization_is_accepted()
    {
        using var response = await api.WithToken(Token("\"sub\":\"alice\",\"org\":\"acme\",\"role\":\"user\"")).GetAsync(ApiCalls.Clusters);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(UnusableTokens))]
    public async Task A_token_without_one_plain_subject_or_with_several_organizations_is_401_with_a_problem(string why, string claims)
    {
        var client = api.WithToken(Token(claims));
        var name = ApiCalls.Unique("t");

        using var read = await client.GetAsync(ApiCalls.Clusters);
        using var write = await client.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(name)));

        foreach (var response in new[] { read, write })
        {
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{why}: {response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("unauthenticated", (await response.ReadObjectAsync())["code"].Text());
        }

        Assert.Equal(0L, await api.ScalarAsync<long>("SELECT count(*) FROM clusters WHERE name = @name", ("name", name)));
    }

    [Fact]
    public async Task Subjects_and_organizations_with_separators_do_not_share_idempotency_keys()
    {
        // "a|b" of "c" and "a" of "b|c" made the same scope "clusters|a|b|c" before the parts carried their lengths.
        var first = api.As("user", "c", "auth0|b");
        var second = api.As("user", "b|c", "auth0");
        var key = Guid.NewGuid().ToString("N");
        var body = Bodies.Cluster(ApiCalls.Unique("idem"));

        var created = new List<JsonObject>();
        foreach (var client in new[] { first, second })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = Bodies.Json(body) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            created.Add(await response.ReadObjectAsync());
        }

        Assert.NotEqual(created[0]["id"].Text(), created[1]["id"].Text());
        Assert.Equal(("c", "auth0|b"), (created[0]["organization"].Text(), created[0]["createdBy"].Text()));
        Assert.Equal(("b|c", "auth0"), (created[1]["organization"].Text(), created[1]["createdBy"].Text()));
    }

    [Theory]
    [InlineData("a|b", "c", "a", "b|c")]
    [InlineData("a|3:b", "c", "5:a", "b|c")] // one part prefixed and the other plain would read two ways
    [InlineData("a", "", "a", "|")]
    [InlineData("3:a|b", "c", "a|b", "c")]
    public void Idempotency_scopes_of_different_callers_differ(string subject, string organization, string otherSubject, string otherOrganization)
    {
        static string Scope(string subject, string organization) =>
            ClusterPlatform.Api.Data.IdempotencyKey.ScopeOf(ClusterPlatform.Api.Data.ResourceKind.Cluster, new(subject, organization.Length == 0 ? null : organization, new HashSet<string>()));

        Assert.NotEqual(Scope(subject, organization), Scope(otherSubject, otherOrganization));
    }

    [Fact]
    public async Task A_development_token_expired_a_minute_ago_is_refused_because_the_skew_is_30_seconds()
    {
        using var late = await api.WithToken(TestTokens.Create("late", "acme", ["user"], DateTime.UtcNow.AddMinutes(-1))).GetAsync(ApiCalls.Clusters);
        using var fresh = await api.WithToken(TestTokens.Create("fresh", "acme", ["user"], DateTime.UtcNow.AddMinutes(1))).GetAsync(ApiCalls.Clusters);

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.OK), (late.StatusCode, fresh.StatusCode));
        // Development tells a developer why (outside it the description is left out: ProductionEdgeTests).
        Assert.Contains("error_description", string.Join(", ", late.Headers.WwwAuthenticate.Select(h => h.ToString())), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost:3000", true)]
    [InlineData("https://127.0.0.1:8443", true)]
    [InlineData("http://[::1]:5173", true)]
    [InlineData("http://localhost", true)]
    [InlineData("file://", false)]
    [InlineData("null", false)]
    [InlineData("ftp://localhost:21", false)]
    [InlineData("chrome-extension://localhost", false)]
    [InlineData("http://127.0.0.2:3000", false)]
    [InlineData("http://localhost.evil.example:3000", false)]
    [InlineData("http://localhost:3000/path", false)]
    public async Task Development_cors_allows_only_http_pages_on_this_machine(string origin, bool allowed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Options, ApiCalls.Clusters);
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");

        using var response = await api.Anonymous().SendAsync(request);

        Assert.Equal(allowed, response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    /// <summary>A development token, signed with the run's key, whose payload carries exactly <paramref name="claims"/> besides issuer, audience and lifetime.</summary>
    private static string Token(string claims)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);
        var payload = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
            $"{{\"iss\":\"{DevelopmentTokens.Issuer}\",\"aud\":\"{DevelopmentTokens.Audience}\",\"nbf\":{now - 60},\"exp\":{now + 1800},{claims}}}"));
        var signature = HMACSHA256.HashData(TestTokens.Key, Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64Url.EncodeToString(signature)}";
    }
}
