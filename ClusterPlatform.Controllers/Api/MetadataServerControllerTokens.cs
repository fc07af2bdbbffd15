using Microsoft.IdentityModel.JsonWebTokens;

namespace ClusterPlatform.Controllers.Api;

/// <summary>
/// On GKE: the pod's Google service account's ID token for the Api's audience, from the metadata
/// server (workload identity). The process has one identity, so every controller it runs presents
/// the same token, and the Api maps that account's email to one controller name. Hence one
/// Deployment per controller in production (<c>Controllers:Enabled</c>; docs/controllers.md).
/// The token is kept until five minutes before it expires, then fetched again by one caller while
/// the others wait for it.
/// </summary>
internal sealed class MetadataServerControllerTokens(HttpClient http, string audience, TimeProvider time) : IControllerTokens, IDisposable
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim refresh = new(1, 1);
    private (string Token, DateTimeOffset Renew)? current;

    public async ValueTask<string?> TokenForAsync(string controller, CancellationToken cancellationToken)
    {
        if (current is { } cached && cached.Renew > time.GetUtcNow())
        {
            return cached.Token;
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (current is { } fresh && fresh.Renew > time.GetUtcNow())
            {
                return fresh.Token; // another caller fetched it while this one waited
            }

            var token = await FetchAsync(cancellationToken);
            var expires = new JsonWebToken(token).ValidTo;
            current = (token, new DateTimeOffset(expires, TimeSpan.Zero) - RenewBefore);
            return token;
        }
        finally
        {
            refresh.Release();
        }
    }

    private async Task<string> FetchAsync(CancellationToken cancellationToken)
    {
        // format=full puts the email (and email_verified) in the token, which the Api maps to a controller.
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"/computeMetadata/v1/instance/service-accounts/default/identity?audience={Uri.EscapeDataString(audience)}&format=full");
        request.Headers.Add("Metadata-Flavor", "Google");
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"The metadata server answered {(int)response.StatusCode} for an ID token (audience {audience}); is workload identity set up for this pod?",
                null, response.StatusCode);
        }

        return (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
    }

    public void Dispose() => refresh.Dispose();
}
