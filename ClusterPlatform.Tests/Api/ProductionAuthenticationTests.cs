using System.Security.Claims;
using System.Security.Cryptography;
using ClusterPlatform.Tests.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// Production authentication on an Api in the Production environment: Google-signed
/// service-account ID tokens for controllers and one OIDC authority's tokens for users, both with
/// RSA keys made here and served from a local discovery document and JWKS, as Google's and the
/// authority's would be.
/// </summary>
public sealed class ProductionAuthenticationTests(ProductionAuthenticationTests.ProductionAuthApiServer api)
    : IClassFixture<ProductionAuthenticationTests.ProductionAuthApiServer>
{
    public const string Audience = "https://api.clusterplatform.test";
    public const string PlacementAccount = "placement@platform-prod.iam.gserviceaccount.com";

    public sealed class ProductionAuthApiServer(PostgresServer postgres, PubSubEmulator emulator) : ApiServer(postgres, emulator)
    {
        private LocalApiServer? keys;

        public RsaSecurityKey GoogleKey { get; } = NewKey("google-1");

        public RsaSecurityKey UsersKey { get; } = NewKey("users-1");

        public string UsersIssuer => $"{keys!.BaseAddress}users";

        protected override string EnvironmentName => "Production";

        protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
        {
            ["Authentication:Google:Audience"] = Audience,
            ["Authentication:Google:MetadataAddress"] = $"{keys!.BaseAddress}google/.well-known/openid-configuration",
            ["Authentication:Google:RequireHttpsMetadata"] = "false",
            ["Authentication:Google:Controllers:placement-controller"] = PlacementAccount,
            ["Authentication:Users:Authority"] = UsersIssuer,
            ["Authentication:Users:RequireHttpsMetadata"] = "false",
            ["Authentication:Users:Audience"] = "clusterplatform",
            ["Authentication:Users:OrganizationClaim"] = "tenant",
            ["Authentication:Users:RolesClaim"] = "groups",
        };

        protected override async Task BeforeStartAsync() => keys = await LocalApiServer.StartAsync(app =>
        {
            Serve(app, "google", "https://accounts.google.com", GoogleKey);
            Serve(app, "users", null, UsersKey);
        });

        protected override async Task AfterStopAsync()
        {
            if (keys is not null)
            {
                await keys.DisposeAsync();
            }
        }

        private void Serve(WebApplication app, string name, string? issuer, RsaSecurityKey key)
        {
            app.MapGet($"/{name}/.well-known/openid-configuration", (HttpContext context) => Results.Json(new JsonObject
            {
                ["issuer"] = issuer ?? $"{keys!.BaseAddress}{name}",
                ["jwks_uri"] = $"{keys!.BaseAddress}{name}/jwks",
                ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            }));
            app.MapGet($"/{name}/jwks", () => Results.Json(new JsonObject
            {
                ["keys"] = new JsonArray(JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(JsonWebKeyConverter.ConvertFromRSASecurityKey(
                    new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId }))))
            }));
        }

        private static RsaSecurityKey NewKey(string id) => new(RSA.Create(2048)) { KeyId = id };
    }

    [Fact]
    public async Task A_listed_service_account_reads_and_reports_as_its_controller_only()
    {
        var cluster = await CreateClusterAsOidcUserAsync();
        var placement = Client(GoogleToken(PlacementAccount));

        using var read = await placement.GetAsync(cluster["href"].Text());
        using var own = await placement.PutStatusAsync(cluster["href"].Text(), StatusCalls.Report("placement-controller", 1, "Available=True"));
        using var other = await placement.PutStatusAsync(cluster["href"].Text(), StatusCalls.Report("dns-management-controller", 1, "Available=True"));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.Forbidden), (read.StatusCode, own.StatusCode, other.StatusCode));
    }

    [Fact]
    public void Two_controllers_given_one_service_account_are_refused_because_one_account_must_act_as_one_controller()
    {
        var options = new ClusterPlatform.Api.Identity.GoogleServiceAccountOptions
        {
            Controllers = { ["placement-controller"] = PlacementAccount, ["dns-management-controller"] = PlacementAccount.ToUpperInvariant() },
        };

        var refusal = Assert.Throws<InvalidOperationException>(options.ControllersByAccount);
        Assert.Contains("placement-controller", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("dns-management-controller", refusal.Message, StringComparison.Ordinal);
        Assert.Equal("placement-controller", new ClusterPlatform.Api.Identity.GoogleServiceAccountOptions
        {
            Controllers = { ["placement-controller"] = PlacementAccount },
        }.ControllersByAccount()[PlacementAccount.ToUpperInvariant()]);
    }

    [Fact]
    public async Task Google_tokens_that_are_expired_for_another_audience_signed_by_another_key_or_of_an_unlisted_account_are_refused()
    {
        var cluster = await CreateClusterAsOidcUserAsync();
        var href = cluster["href"].Text();

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(GoogleToken(PlacementAccount, expires: DateTime.UtcNow.AddMinutes(-10)), href));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(GoogleToken(PlacementAccount, audience: "https://someone-else.test"), href));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(GoogleToken(PlacementAccount, key: api.UsersKey), href));
        // Expired a minute ago: beyond the 30 s clock skew allowed (the libraries' default is 5 minutes).
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(GoogleToken(PlacementAccount, expires: DateTime.UtcNow.AddMinutes(-1)), href));
        // Signed by Google for this Api, but not one of ours: authenticated, not authorized.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(GoogleToken("intruder@elsewhere.iam.gserviceaccount.com"), href));
        Assert.Equal(HttpStatusCode.Forbidden, await StatusAsync(GoogleToken(PlacementAccount, verified: false), href));
    }

    [Fact]
    public async Task Users_get_their_organization_and_roles_from_the_configured_claims_and_see_only_their_organization()
    {
        var mine = await CreateClusterAsOidcUserAsync("tenant-a");
        var theirs = await CreateClusterAsOidcUserAsync("tenant-b");
        var user = Client(UserToken("alice", "tenant-a", "user"));

        using var own = await user.GetAsync(mine["href"].Text());
        using var other = await user.GetAsync(theirs["href"].Text());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.NotFound), (own.StatusCode, other.StatusCode));
        Assert.Equal("tenant-a", mine["organization"].Text());
        Assert.Equal("alice", mine["createdBy"].Text());

        // A viewer reads but cannot write; an unknown group grants nothing; a role in the token's own "role" claim is not read.
        using var viewerWrite = await Client(UserToken("val", "tenant-a", "viewer")).PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("v"))));
        using var nobody = await Client(UserToken("nick", "tenant-a", "cluster-admins")).GetAsync(ApiCalls.Clusters);
        using var selfGranted = await Client(UserToken("eve", "tenant-a", null, new Claim("role", "admin"))).GetAsync(ApiCalls.Clusters);
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (viewerWrite.StatusCode, nobody.StatusCode, selfGranted.StatusCode));
    }

    [Fact]
    public async Task A_user_token_in_a_group_named_controller_is_not_a_controller_and_sees_only_its_organization()
    {
        var theirs = await CreateClusterAsOidcUserAsync("tenant-b");
        var impostor = Client(UserToken("mallory", "tenant-a", "controller"));

        // As a controller it would read every organization's clusters, the fleet, and report status.
        using var other = await impostor.GetAsync(theirs["href"].Text());
        using var list = await impostor.GetAsync(ApiCalls.Clusters);
        using var fleet = await impostor.GetAsync("/api/v1/management-clusters");
        using var report = await impostor.PutStatusAsync(theirs["href"].Text(), StatusCalls.Report("mallory", 1, "Available=True"));
        Assert.Equal((HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden),
            (other.StatusCode, list.StatusCode, fleet.StatusCode, report.StatusCode));

        // Beside a role it may have, the group still grants nothing more: tenant-b's cluster stays hidden.
        var user = Client(Token(api.UsersIssuer, "clusterplatform", api.UsersKey, DateTime.UtcNow.AddMinutes(30),
            new Claim("sub", "mallory"), new Claim("tenant", "tenant-a"), new Claim("groups", "user"), new Claim("groups", "controller")));
        using var hidden = await user.GetAsync(theirs["href"].Text());
        using var fleetAsUser = await user.GetAsync("/api/v1/management-clusters");
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.Forbidden), (hidden.StatusCode, fleetAsUser.StatusCode));
    }

    [Fact]
    public async Task User_tokens_from_another_issuer_for_another_audience_or_expired_and_development_tokens_are_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token("https://evil.test", "clusterplatform", api.UsersKey, DateTime.UtcNow.AddMinutes(5), new Claim("sub", "x")), ApiCalls.Clusters));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(Token(api.UsersIssuer, "another-api", api.UsersKey, DateTime.UtcNow.AddMinutes(5), new Claim("sub", "x")), ApiCalls.Clusters));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(UserToken("late", "tenant-a", "user", expires: DateTime.UtcNow.AddMinutes(-10)), ApiCalls.Clusters));
        // A dotnet user-jwts style token: its keys are not trusted outside Development.
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(TestTokens.Create("dev", "tenant-a", "admin"), ApiCalls.Clusters));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("not-a-jwt", ApiCalls.Clusters));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync("not.a.jwt", ApiCalls.Clusters));
    }

    private async Task<JsonObject> CreateClusterAsOidcUserAsync(string tenant = "tenant-a")
    {
        using var response = await Client(UserToken("alice", tenant, "user")).PostAsync(ApiCalls.Clusters, Bodies.Json(Bodies.Cluster(ApiCalls.Unique("prod"))));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadObjectAsync();
    }

    private HttpClient Client(string token) => api.WithToken(token);

    private async Task<HttpStatusCode> StatusAsync(string token, string href)
    {
        using var response = await Client(token).GetAsync(href);
        return response.StatusCode;
    }

    private string GoogleToken(string email, DateTime? expires = null, string audience = Audience, RsaSecurityKey? key = null, bool verified = true) =>
        Token("https://accounts.google.com", audience, key ?? api.GoogleKey, expires ?? DateTime.UtcNow.AddMinutes(30),
            new Claim("sub", "110169484474386276334"), new Claim("email", email), new Claim("email_verified", verified ? "true" : "false", ClaimValueTypes.Boolean));

    private string UserToken(string subject, string tenant, string? group, Claim? extra = null, DateTime? expires = null) =>
        Token(api.UsersIssuer, "clusterplatform", api.UsersKey, expires ?? DateTime.UtcNow.AddMinutes(30),
            [new Claim("sub", subject), new Claim("tenant", tenant), .. group is null ? Array.Empty<Claim>() : [new Claim("groups", group)], .. extra is null ? Array.Empty<Claim>() : [extra]]);

    private static string Token(string issuer, string audience, RsaSecurityKey key, DateTime expires, params Claim[] claims) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = expires.AddMinutes(-60),
            NotBefore = expires.AddMinutes(-60),
            Expires = expires,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
}
