using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace ClusterPlatform.Client;

/// <summary>
/// Builds the generated <see cref="PlatformApiClient"/> for one Api: its base URL and where the bearer
/// token comes from. The document names no server (the Api runs at many addresses), so the base URL is
/// always the caller's.
/// </summary>
public static class PlatformApiClientFactory
{
    /// <summary>A client whose requests carry the token <paramref name="tokens"/> returns for each request.</summary>
    /// <param name="handler">The innermost handler, e.g. a test's; Kiota's default middleware (retry on 429/503
    /// with Retry-After, redirects, compression) wraps it. Null: a plain <see cref="HttpClientHandler"/>.</param>
    public static PlatformApiClient Create(Uri baseUrl, IAccessTokenProvider tokens, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var httpClient = KiotaClientFactory.Create(handler ?? new HttpClientHandler());
        var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(tokens), httpClient: httpClient)
        {
            // Kiota joins "{+baseurl}/api/v1/..." itself, so a trailing slash would double.
            BaseUrl = baseUrl.ToString().TrimEnd('/'),
        };
        return new PlatformApiClient(adapter);
    }

    /// <summary>A client that sends one fixed token (a development token, a CI job's token).</summary>
    public static PlatformApiClient Create(Uri baseUrl, string token, HttpMessageHandler? handler = null) =>
        Create(baseUrl, new StaticTokenProvider(token, baseUrl), handler);
}
