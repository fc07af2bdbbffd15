using System.Net;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The console's own endpoints, over real HTTP through ASP.NET Core's test host: the production OIDC
/// challenge (authorization code with PKCE, against a real discovery document served by a local
/// authority), the local sign-in refused outside Development, and anti-forgery on every form POST.
/// </summary>
public sealed partial class ConsoleSignInTests(PostgresServer postgres)
{
    [Fact]
    public async Task Production_challenge_redirects_to_the_authority_with_a_PKCE_code_challenge()
    {
        await using var authority = await LocalAuthority.StartAsync();
        await using var console = Production(authority.Url, await postgres.CreateDatabaseAsync("console_signin"));
        using var client = Client(console);

        using var response = await client.GetAsync("/signin?returnUrl=%2Fclusters");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal(new Uri(authority.Url, "/authorize").GetLeftPart(UriPartial.Path), location.GetLeftPart(UriPartial.Path));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("clusterplatform-console", query["client_id"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", query["code_challenge"].ToString());
        Assert.False(string.IsNullOrEmpty(query["state"]));
        Assert.False(string.IsNullOrEmpty(query["nonce"]));
    }

    [Fact]
    public async Task A_signed_out_visit_to_a_page_is_sent_to_sign_in()
    {
        await using var authority = await LocalAuthority.StartAsync();
        await using var production = Production(authority.Url, await postgres.CreateDatabaseAsync("console_signin"));
        using var productionClient = Client(production);
        await using var development = Development();
        using var developmentClient = Client(development);

        using var challenged = await productionClient.GetAsync("/clusters");
        using var local = await developmentClient.GetAsync("/clusters");

        Assert.Equal(HttpStatusCode.Redirect, challenged.StatusCode);
        Assert.Equal(new Uri(authority.Url, "/authorize").GetLeftPart(UriPartial.Path), challenged.Headers.Location!.GetLeftPart(UriPartial.Path));
        Assert.Equal(HttpStatusCode.Redirect, local.StatusCode);
        Assert.Equal("/signin?ReturnUrl=%2Fclusters", local.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task Outside_Development_the_local_sign_in_page_and_its_post_are_not_there()
    {
        await using var authority = await LocalAuthority.StartAsync();
        await using var console = Production(authority.Url, await postgres.CreateDatabaseAsync("console_signin"));
        using var client = Client(console);

        using var page = await client.GetAsync("/signin/local");
        using var post = await client.PostAsync("/signin/local/session", Form(("user", "ada"), ("organization", "acme"), ("role", "admin")));

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.DoesNotContain("<form", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        // No endpoint takes the POST (405 where the path matches another endpoint's GET), and no session is set.
        Assert.Contains(post.StatusCode, new[] { HttpStatusCode.NotFound, HttpStatusCode.MethodNotAllowed });
        Assert.False(post.Headers.Contains("Set-Cookie") && post.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("clusterplatform-console=", StringComparison.Ordinal)));
    }

    [Fact]
    public void Outside_Development_the_console_does_not_start_without_an_authority()
    {
        using var console = Console("Production", []);

        var refusal = Assert.Throws<InvalidOperationException>(() => console.CreateClient());
        Assert.Contains("Authentication:Users:Authority", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_sign_in_without_the_forms_anti_forgery_token_is_refused_and_signs_nobody_in()
    {
        await using var console = Development();
        using var client = Client(console);

        using var response = await client.PostAsync("/signin/local/session", Form(("user", "ada"), ("organization", "acme"), ("role", "admin"), ("returnUrl", "/clusters")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies.Where(c => c.StartsWith("clusterplatform-console=", StringComparison.Ordinal)) : []);
    }

    [Fact]
    public async Task Local_sign_in_starts_a_session_returns_only_to_local_paths_and_sign_out_needs_the_token_too()
    {
        await using var console = Development();
        using var client = Client(console);

        // An absolute or protocol-relative return URL would be an open redirect: the console goes home instead.
        using var signedIn = await client.PostAsync("/signin/local/session",
            Form(("user", "ada"), ("organization", "acme"), ("role", "user"), ("returnUrl", "//evil.example/x"), ("__RequestVerificationToken", await TokenAsync(client, "/signin/local"))));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clusters")).StatusCode);

        // Sign-out without the token: refused, still signed in.
        using var forged = await client.PostAsync("/signout", Form(("x", "y")));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/clusters")).StatusCode);

        using var signedOut = await client.PostAsync("/signout", Form(("__RequestVerificationToken", await TokenAsync(client, "/signin/local"))));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal("/signed-out", signedOut.Headers.Location!.OriginalString);
        using var after = await client.GetAsync("/clusters");
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
    }

    [Fact]
    public async Task Local_sign_in_refuses_an_unknown_role_and_a_run_without_the_AppHosts_key()
    {
        await using var console = Development();
        using var client = Client(console);
        using var badRole = await client.PostAsync("/signin/local/session",
            Form(("user", "ada"), ("organization", "acme"), ("role", "controller"), ("__RequestVerificationToken", await TokenAsync(client, "/signin/local"))));
        Assert.Equal(HttpStatusCode.BadRequest, badRole.StatusCode);
        Assert.Contains("role", await badRole.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await using var keyless = Console("Development", []);
        using var keylessClient = Client(keyless);
        using var noKey = await keylessClient.PostAsync("/signin/local/session",
            Form(("user", "ada"), ("organization", "acme"), ("role", "user"), ("__RequestVerificationToken", await TokenAsync(keylessClient, "/signin/local"))));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, noKey.StatusCode);
    }

    /// <summary>A Development console with a local sign-in key; <paramref name="settings"/> are added (the key ring's database, for one).</summary>
    internal static WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> Development(params (string Key, string Value)[] settings) =>
        Console("Development", [("Console:LocalSignIn:SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))), .. settings]);

    // Production needs the shared key ring's database (SharedKeyRing), so each console gets one.
    private static WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> Production(Uri authority, string keyRingDatabase) =>
        Console("Production", [
            ($"ConnectionStrings:{ResourceNames.ConsoleDatabase}", keyRingDatabase),
            ("Authentication:Users:Authority", authority.ToString().TrimEnd('/')),
            ("Authentication:Users:ClientId", "clusterplatform-console"),
            ("Authentication:Users:ClientSecret", "not-a-real-secret"),
            ("Authentication:Users:RequireHttpsMetadata", "false"),
        ]);

    internal static WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> Console(string environment, (string Key, string Value)[] settings) =>
        new WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi>().WithWebHostBuilder(host =>
        {
            host.UseEnvironment(environment);
            foreach (var (key, value) in settings)
            {
                host.UseSetting(key, value);
            }
        });

    internal static HttpClient Client(WebApplicationFactory<ClusterPlatform.WebConsole.Api.ConsoleApi> console) =>
        console.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true, BaseAddress = new Uri("http://localhost") });

    internal static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)));

    /// <summary>The anti-forgery token a page's form carries (its cookie is kept by the client).</summary>
    internal static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var html = await client.GetStringAsync(path);
        return AntiforgeryField().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException($"{path} has no anti-forgery field.");
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    /// <summary>An OIDC authority's discovery document and keys on a real local port: what the console reads before a challenge.</summary>
    private sealed class LocalAuthority(WebApplication app, Uri url) : IAsyncDisposable
    {
        public Uri Url { get; } = url;

        public static async Task<LocalAuthority> StartAsync()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/.well-known/openid-configuration", (HttpContext context) =>
            {
                var issuer = $"{context.Request.Scheme}://{context.Request.Host}";
                return Results.Json(new Dictionary<string, object>
                {
                    ["issuer"] = issuer,
                    ["authorization_endpoint"] = $"{issuer}/authorize",
                    ["token_endpoint"] = $"{issuer}/token",
                    ["jwks_uri"] = $"{issuer}/jwks",
                    ["end_session_endpoint"] = $"{issuer}/logout",
                    ["response_types_supported"] = new[] { "code" },
                    ["subject_types_supported"] = new[] { "public" },
                    ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                    ["code_challenge_methods_supported"] = new[] { "S256" },
                });
            });
            app.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new LocalAuthority(app, new Uri(address));
        }

        public async ValueTask DisposeAsync() => await app.DisposeAsync();
    }
}
