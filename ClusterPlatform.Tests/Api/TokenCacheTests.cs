using System.Security.Claims;
using ClusterPlatform.Api.Identity;
using Microsoft.Extensions.Time.Testing;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// The cache of validated bearer tokens (<c>ValidatedTokens</c>, in front of every scheme): a kept token
/// gives the principal its scheme produced and nothing past its <c>exp</c>; another token is never taken
/// for it; a token the scheme refused is never kept. The clock is a fake one for the cache alone, and the
/// real one against the running Api.
/// </summary>
public sealed class TokenCacheTests(ApiServer api) : IClassFixture<ApiServer>
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_kept_token_gives_the_very_principal_it_was_kept_with_until_its_exp_and_not_after()
    {
        var time = new FakeTimeProvider(Now);
        var tokens = new ValidatedTokens(time);
        var principal = Principal("alice");
        tokens.Remember("token-a", principal, Now.AddMinutes(5));

        Assert.Same(principal, tokens.Find("token-a")?.Principal);
        time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        Assert.Same(principal, tokens.Find("token-a")?.Principal);
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Null(tokens.Find("token-a")); // at exp: refused to the scheme's own validation
        Assert.Equal(0, tokens.Count);
    }

    [Fact]
    public void Another_token_is_not_taken_for_a_kept_one_and_an_expired_one_is_not_kept()
    {
        var time = new FakeTimeProvider(Now);
        var tokens = new ValidatedTokens(time);
        var alice = Principal("alice");
        var bob = Principal("bob");
        tokens.Remember("token-a", alice, Now.AddMinutes(5));
        tokens.Remember("token-b", bob, Now.AddMinutes(5));
        tokens.Remember("token-late", Principal("late"), Now); // accepted within the clock skew only

        Assert.Same(alice, tokens.Find("token-a")?.Principal);
        Assert.Same(bob, tokens.Find("token-b")?.Principal);
        Assert.Null(tokens.Find("token-a "));
        Assert.Null(tokens.Find("token-c"));
        Assert.Null(tokens.Find("token-late"));
    }

    [Fact]
    public void The_cache_is_bounded_and_drops_expired_tokens_first()
    {
        var time = new FakeTimeProvider(Now);
        var tokens = new ValidatedTokens(time, capacity: 3);
        tokens.Remember("short", Principal("a"), Now.AddMinutes(1));
        tokens.Remember("long-1", Principal("b"), Now.AddHours(1));
        tokens.Remember("long-2", Principal("c"), Now.AddHours(1));
        time.Advance(TimeSpan.FromMinutes(2));

        tokens.Remember("new", Principal("d"), Now.AddHours(1));

        Assert.Equal(3, tokens.Count);
        Assert.NotNull(tokens.Find("long-1"));
        Assert.NotNull(tokens.Find("new"));

        tokens.Remember("one-too-many", Principal("e"), Now.AddHours(1)); // all live: start over
        Assert.True(tokens.Count <= 3);
        Assert.NotNull(tokens.Find("one-too-many"));
    }

    [Fact]
    public async Task Tokens_of_one_subject_with_different_roles_keep_their_own_rights_on_every_repeat()
    {
        var organization = ApiCalls.Unique("org");
        var viewer = api.WithToken(TestTokens.Create("carol", organization, "viewer"));
        var user = api.WithToken(TestTokens.Create("carol", organization, "user"));

        for (var i = 0; i < 3; i++)
        {
            using var denied = await viewer.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("viewer"))));
            using var created = await user.PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("user"))));

            Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Created), (denied.StatusCode, created.StatusCode));
            Assert.Equal("carol", (await created.ReadObjectAsync())["createdBy"].Text());
        }
    }

    [Fact]
    public async Task A_token_its_scheme_refused_stays_refused_on_every_repeat()
    {
        // Signed and current, but with two organizations: TokenClaims refuses it, so nothing is kept.
        var client = api.WithToken(TwoOrganizations());
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(ApiCalls.Clusters);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }

    [Fact]
    public async Task A_token_accepted_and_kept_is_refused_once_its_exp_and_the_clock_skew_have_passed()
    {
        var client = api.WithToken(TestTokens.Create("erin", "acme", ["user"], DateTime.UtcNow.AddSeconds(2)));
        using (var accepted = await client.GetAsync(ApiCalls.Clusters))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // Kept until exp, then validated again, which accepts it for the 30 s skew and no longer.
        await Wait.UntilAsync(async () =>
        {
            using var response = await client.GetAsync(ApiCalls.Clusters);
            return response.StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(90), "the expired token to be refused");
    }

    private static ClaimsPrincipal Principal(string subject) =>
        new(new ClaimsIdentity([new Claim(ApiClaims.Subject, subject)], "test", ApiClaims.Subject, ApiClaims.Role));

    private static string TwoOrganizations()
    {
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        return handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = DevelopmentTokens.Issuer,
            Audience = DevelopmentTokens.Audience,
            Expires = DateTime.UtcNow.AddMinutes(30),
            NotBefore = DateTime.UtcNow.AddMinutes(-1),
            Claims = new Dictionary<string, object> { ["sub"] = "dave", ["org"] = new[] { "acme", "globex" }, ["role"] = "user" },
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(TestTokens.Key), "HS256"),
        });
    }
}
