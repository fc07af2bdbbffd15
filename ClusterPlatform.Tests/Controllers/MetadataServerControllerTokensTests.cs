extern alias controllers;

using System.Collections.Concurrent;
using System.Security.Claims;
using controllers::ClusterPlatform.Controllers.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ClusterPlatform.Tests.Controllers;

/// <summary>
/// The Controllers' GKE credentials: Google ID tokens from the metadata server (played here by a local
/// server on its real path), asked for the Api's audience with the metadata flavor header, kept until
/// five minutes before they expire.
/// </summary>
public sealed class MetadataServerControllerTokensTests
{
    private const string Audience = "https://api.clusterplatform.test";
    [Fact]
    public async Task The_token_is_fetched_for_the_audience_with_the_metadata_flavor_and_reused_while_fresh()
    {
        var requests = new ConcurrentQueue<string>();
        await using var metadata = await StartMetadataServerAsync(requests, TimeSpan.FromHours(1));
        using var tokens = Tokens(metadata);

        var first = await tokens.TokenForAsync("placement-controller", Cancellation);
        var again = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => tokens.TokenForAsync("dns-management-controller", Cancellation).AsTask()));

        Assert.All(again, token => Assert.Equal(first, token));
        var request = Assert.Single(requests);
        Assert.Equal($"flavor=Google audience={Audience} format=full", request);
        Assert.Equal("https://accounts.google.com", new JsonWebToken(first).Issuer);
    }

    [Fact]
    public async Task A_token_within_five_minutes_of_expiry_is_fetched_again()
    {
        var requests = new ConcurrentQueue<string>();
        await using var metadata = await StartMetadataServerAsync(requests, TimeSpan.FromMinutes(4));
        using var tokens = Tokens(metadata);

        await tokens.TokenForAsync("placement-controller", Cancellation);
        await tokens.TokenForAsync("placement-controller", Cancellation);

        Assert.Equal(2, requests.Count);
    }

    [Fact]
    public async Task A_refusing_metadata_server_fails_the_call_so_the_event_is_redelivered()
    {
        await using var metadata = await LocalApiServer.StartAsync(app =>
            app.MapGet("/computeMetadata/v1/instance/service-accounts/default/identity", () => Results.StatusCode(404)));
        using var tokens = Tokens(metadata);

        var failure = await Assert.ThrowsAsync<HttpRequestException>(() => tokens.TokenForAsync("placement-controller", Cancellation).AsTask());

        Assert.Contains("workload identity", failure.Message, StringComparison.Ordinal);
    }

    private static MetadataServerControllerTokens Tokens(LocalApiServer metadata) =>
        new(new HttpClient { BaseAddress = metadata.BaseAddress }, Audience, TimeProvider.System);

    private static Task<LocalApiServer> StartMetadataServerAsync(ConcurrentQueue<string> requests, TimeSpan lifetime) =>
        LocalApiServer.StartAsync(app => app.MapGet("/computeMetadata/v1/instance/service-accounts/default/identity", (HttpRequest request) =>
        {
            requests.Enqueue($"flavor={request.Headers["Metadata-Flavor"]} audience={request.Query["audience"]} format={request.Query["format"]}");
            if (request.Headers["Metadata-Flavor"] != "Google")
            {
                return Results.StatusCode(403); // as the real one does, against SSRF
            }

            // Signed with a throwaway key: the controllers never validate their own token, the Api does.
            var now = DateTime.UtcNow;
            return Results.Text(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
            {
                Issuer = "https://accounts.google.com",
                Audience = request.Query["audience"],
                Subject = new ClaimsIdentity([new Claim("email", "placement@platform-prod.iam.gserviceaccount.com")]),
                IssuedAt = now,
                NotBefore = now,
                Expires = now + lifetime,
                SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(new byte[32]), SecurityAlgorithms.HmacSha256),
            }));
        }));
}
