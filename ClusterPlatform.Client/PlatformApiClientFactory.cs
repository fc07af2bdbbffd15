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
    public static PlatformApiClient Create(Uri baseUrl, IAccessTokenProvider tokens, HttpMessageHandler? handler = null) =>
        Create(KiotaClientFactory.Create(handler ?? new HttpClientHandler()), baseUrl, tokens);

    /// <summary>
    /// A client over the caller's <paramref name="httpClient"/> (e.g. one from <c>IHttpClientFactory</c>, with
    /// its own resilience): its pipeline is the caller's, so Kiota's middleware is there only if the caller
    /// added it (<see cref="ResponseETag"/> needs <c>HeadersInspectionHandler</c>).
    /// </summary>
    public static PlatformApiClient Create(HttpClient httpClient, Uri baseUrl, IAccessTokenProvider tokens)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
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
