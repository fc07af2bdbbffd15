using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Apis.Auth.OAuth2;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Google access tokens from application-default credentials (a key file, gcloud's user credentials,
/// or the metadata server, which is how GKE workload identity appears), looked up on first use so a
/// process without credentials still starts. GoogleCredential caches and refreshes the token.
/// </summary>
internal sealed class GoogleAccessTokens : IDisposable
{
    private const string Scope = "https://www.googleapis.com/auth/cloud-platform";
    private readonly SemaphoreSlim gate = new(1, 1);
    private ITokenAccess? credential;

    public async Task<string> GetAsync(CancellationToken cancellationToken)
    {
        if (credential is null)
        {
            await gate.WaitAsync(cancellationToken);
            try
            {
                credential ??= (await GoogleCredential.GetApplicationDefaultAsync(cancellationToken)).CreateScoped(Scope);
            }
            catch (InvalidOperationException e)
            {
                throw new ProviderException($"no Google application-default credentials: {e.Message}", transient: false, e);
            }
            finally
            {
                gate.Release();
            }
        }

        return await credential.GetAccessTokenForRequestAsync(cancellationToken: cancellationToken);
    }

    public void Dispose() => gate.Dispose();
}

/// <summary>Adds the Google bearer token to the GCP providers' HttpClients.</summary>
internal sealed class GoogleAuthHandler(GoogleAccessTokens tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.GetAsync(cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}

/// <summary>
/// JSON over HTTP the way Google's REST APIs speak it. Statuses the caller expects (e.g. 404 for
/// "absent") come back as results; every other failure becomes a <see cref="ProviderException"/>
/// carrying Google's own error message.
/// </summary>
internal static class GoogleRest
{
    public static async Task<(int Status, JsonNode? Body)> SendAsync(
        HttpClient http, HttpMethod method, Uri uri, JsonNode? body, string what, CancellationToken cancellationToken, params int[] expectedFailures)
    {
        using var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        var response = await ProviderHttp.SendAsync(http, request, what, cancellationToken);
        using (response)
        {
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            var json = Parse(text);
            if (response.IsSuccessStatusCode || expectedFailures.Contains(status))
            {
                return (status, json);
            }

            var message = (string?)json?["error"]?["message"] ?? response.ReasonPhrase;
            throw new ProviderException($"{what}: HTTP {status}: {message}", ProviderException.IsTransientStatus(status));
        }
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string Escape(string segment) => Uri.EscapeDataString(segment);
}
