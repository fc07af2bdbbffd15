using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Providers;

/// <summary>
/// Reads one channel's graph from the Cincinnati graph API (a typed HttpClient). What the policy
/// engine answers, per openshift/cincinnati@49c914f8:
/// <list type="bullet">
/// <item><c>GET {Url}?channel=…&amp;arch=…</c>; <c>channel</c> is mandatory on Red Hat's service
/// (<c>pe.mandatory_client_parameters: "channel"</c> in dist/openshift/cincinnati-deployment.yaml),
/// otherwise 400 <c>missing_params</c> (commons/src/lib.rs ensure_query_params).</item>
/// <item>A channel or arch that fails the policy engine's regex is 400 <c>invalid_params</c>; a
/// well-formed channel nobody publishes to is 200 with no nodes (channel_filter.rs and
/// arch_filter.rs under cincinnati/src/plugins/internal/), so an absent version is simply not found.</item>
/// <item>An Accept header that is not exactly one of <c>*</c>, <c>*/*</c>, <c>application/*</c>,
/// <c>application/json</c> or <c>application/vnd.redhat.cincinnati.v1+json</c> is 406
/// <c>invalid_content_type</c> (commons/src/lib.rs validate_content_type); none at all is accepted.</item>
/// <item>Errors are <c>{"kind", "value"}</c> JSON with 4xx or 5xx (commons/src/errors.rs); an unknown
/// path is a bare 404 (policy-engine/src/main.rs default_response).</item>
/// </list>
/// </summary>
internal sealed class UpdateGraphClient(HttpClient http, IOptions<UpdateGraphOptions> options)
{
    /// <summary>The media type the graph API's design requires servers to allow (docs/design/cincinnati.md, "Request").</summary>
    public const string MediaType = "application/json";

    public async Task<UpdateGraph> GetAsync(string channel, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var what = $"update graph {channel} ({settings.Architecture}) from {settings.Url.GetLeftPart(UriPartial.Path)}";
        var separator = string.IsNullOrEmpty(settings.Url.Query) ? "?" : "&";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(
            $"{settings.Url.AbsoluteUri}{separator}channel={Uri.EscapeDataString(channel)}&arch={Uri.EscapeDataString(settings.Architecture)}"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaType));

        int status;
        string? reasonPhrase;
        string text;
        using (var response = await ProviderHttp.SendAsync(http, request, what, cancellationToken))
        {
            status = (int)response.StatusCode;
            reasonPhrase = response.ReasonPhrase;
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        if (status is < 200 or > 299)
        {
            var error = ParseOrNull(text);
            var reason = error?["kind"] is not null ? $"{(string?)error["kind"]}: {(string?)error["value"]}" : reasonPhrase;
            throw new ProviderException($"{what}: HTTP {status} {reason}", ProviderException.IsTransientStatus(status));
        }

        // A 200 that is not a whole graph was most likely cut off or replaced in transit (a proxy,
        // a load balancer): worth another try, and never cached.
        return UpdateGraph.Parse(ParseOrNull(text), out var problem)
            ?? throw new ProviderException($"{what}: HTTP {status} but not Cincinnati JSON: {problem}", transient: true);
    }

    private static JsonNode? ParseOrNull(string text)
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
}
