using System.Net.Http.Headers;
using System.Text;

namespace ClusterPlatform.Tests.Api.Conformance;

/// <summary>
/// Sends requests to the real Api and keeps each exchange exactly as it went over the wire, with
/// whether the request is one the document must allow (a deliberately broken request, such as
/// malformed JSON or a wrong media type, is checked only for its response).
/// </summary>
public sealed class ExchangeRecorder
{
    private readonly List<(Exchange Exchange, bool ValidRequest)> exchanges = [];

    public IReadOnlyList<(Exchange Exchange, bool ValidRequest)> Exchanges => exchanges;

    /// <summary>Sends a JSON body (or raw text) and returns the status and the parsed JSON body, if any.</summary>
    public async Task<(int Status, JsonNode? Body, IReadOnlyDictionary<string, string> Headers)> SendAsync(
        HttpClient client, HttpMethod method, string pathAndQuery, JsonNode? json = null, string mediaType = "application/json",
        IReadOnlyDictionary<string, string>? headers = null, string? rawBody = null, bool validRequest = true)
    {
        var body = rawBody ?? json?.ToJsonString();
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        }

        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var responseHeaders = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase);
        var status = (int)response.StatusCode;
        exchanges.Add((new Exchange(method, pathAndQuery, headers ?? new Dictionary<string, string>(), body is null ? null : mediaType, body,
            status, responseHeaders, response.Content.Headers.ContentType?.ToString(), text), validRequest));
        return (status, text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.EndsWith("json", StringComparison.Ordinal) == true ? JsonNode.Parse(text) : null,
            responseHeaders);
    }
}
