using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Cli;

/// <summary>
/// The OAuth 2.0 device authorization grant (RFC 8628) against an OIDC authority: discovery names the
/// device and token endpoints, the user opens the verification URL on any device and enters the code,
/// cpctl polls the token endpoint at the interval the authority asks (slowing down when told).
/// Time comes from <paramref name="time"/> so tests drive the polling with a fake clock instead of
/// waiting out real intervals (5 s and more).
/// </summary>
public sealed class DeviceCodeLogin(HttpClient http, TextWriter output, TimeProvider time)
{
    private const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

    public sealed record Token(string AccessToken, DateTimeOffset? ExpiresAt);

    public async Task<Token> LoginAsync(Uri authority, string clientId, string scope, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authority);
        var discovery = await GetJsonAsync(new Uri(authority.ToString().TrimEnd('/') + "/.well-known/openid-configuration"), cancellationToken);
        var deviceEndpoint = Text(discovery, "device_authorization_endpoint")
            ?? throw new CliException($"{authority} offers no device authorization endpoint (RFC 8628).");
        var tokenEndpoint = Text(discovery, "token_endpoint") ?? throw new CliException($"{authority} names no token endpoint.");

        using var deviceResponse = await http.PostAsync(deviceEndpoint, Form(("client_id", clientId), ("scope", scope)), cancellationToken);
        var device = await ReadAsync(deviceResponse, cancellationToken);
        if (!deviceResponse.IsSuccessStatusCode)
        {
            throw new CliException($"The authority refused the device login: {Text(device, "error")} {Text(device, "error_description")}".TrimEnd());
        }

        var deviceCode = Text(device, "device_code") ?? throw new CliException("The authority sent no device_code.");
        var complete = Text(device, "verification_uri_complete");
        output.WriteLine(complete is not null
            ? $"Open {complete} and confirm the code {Text(device, "user_code")}."
            : $"Open {Text(device, "verification_uri")} and enter the code {Text(device, "user_code")}.");
        var interval = TimeSpan.FromSeconds(Number(device, "interval") ?? 5);
        var expires = time.GetUtcNow().AddSeconds(Number(device, "expires_in") ?? 600);

        while (time.GetUtcNow() < expires)
        {
            await Task.Delay(interval, time, cancellationToken);
            using var response = await http.PostAsync(tokenEndpoint, Form(("grant_type", DeviceGrant), ("device_code", deviceCode), ("client_id", clientId)), cancellationToken);
            var body = await ReadAsync(response, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                var token = Text(body, "access_token") ?? throw new CliException("The authority sent no access_token.");
                return new Token(token, Number(body, "expires_in") is { } s ? time.GetUtcNow().AddSeconds(s) : null);
            }

            switch (Text(body, "error"))
            {
                case "authorization_pending":
                    continue;
                case "slow_down":
                    interval += TimeSpan.FromSeconds(5); // RFC 8628 section 3.5
                    continue;
                case "access_denied": // RFC 8628 section 3.5: the user declined; polling again cannot help
                    throw new CliException("Login failed: the request was denied at the authority (access_denied).");
                case "expired_token": // RFC 8628 section 3.5: the device code expired; a new login must start over
                    throw new CliException("Login failed: the code expired before it was confirmed (expired_token); run `cpctl login` again.");
                default:
                    throw new CliException($"Login failed: {Text(body, "error")} {Text(body, "error_description")}".TrimEnd());
            }
        }

        throw new CliException("Login timed out: the code was not confirmed in time.");
    }

    private async Task<JsonObject> GetJsonAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(uri, cancellationToken);
        return response.IsSuccessStatusCode
            ? await ReadAsync(response, cancellationToken)
            : throw new CliException($"OIDC discovery at {uri} answered {(int)response.StatusCode}.");
    }

    private static async Task<JsonObject> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken) ?? [];
        }
        catch (System.Text.Json.JsonException)
        {
            return [];
        }
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => KeyValuePair.Create(f.Key, f.Value)));

    private static string? Text(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static double? Number(JsonObject o, string name) => o[name] is JsonValue v && v.TryGetValue<double>(out var n) ? n : null;
}
