using System.Net;
using System.Text.Json;

namespace ClusterPlatform.WebConsole.Api;

/// <summary>
/// A refusal of the Api (its RFC 9457 problem body) or no answer at all, as the console shows it:
/// a readable message, the field errors keyed by the body's JSON path, and the request id that finds
/// the request in the Api's logs.
/// </summary>
public sealed class ApiProblemException : Exception
{
    public ApiProblemException(int status, string? code, string title, string? detail, IReadOnlyDictionary<string, string[]> errors,
        IReadOnlyList<string> allowedTargets, string? requestId)
        : base(detail is { Length: > 0 } ? $"{title}: {detail}" : title)
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        Errors = errors;
        AllowedTargets = allowedTargets;
        RequestId = requestId;
    }

    public int Status { get; }

    public string? Code { get; }

    public string Title { get; }

    public string? Detail { get; }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public IReadOnlyList<string> AllowedTargets { get; }

    public string? RequestId { get; }

    /// <summary>The Api did not answer, or answered that it cannot serve now (503, 502, 504).</summary>
    public bool IsOutage => Status is 0 or (int)HttpStatusCode.ServiceUnavailable or (int)HttpStatusCode.BadGateway or (int)HttpStatusCode.GatewayTimeout;

    public static ApiProblemException Unreachable(string reason) =>
        new(0, "unreachable", "The Api cannot be reached", reason, new Dictionary<string, string[]>(), [], null);

    /// <summary>Reads a problem body; a body that is not one still gives the status and request id.</summary>
    public static async Task<ApiProblemException> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.FirstOrDefault() : null;
        var status = (int)response.StatusCode;
        var title = response.ReasonPhrase ?? $"HTTP {status}";
        string? code = null, detail = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var targets = new List<string>();
        try
        {
            using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
            var root = body.RootElement;
            title = Text(root, "title") ?? title;
            code = Text(root, "code");
            detail = Text(root, "detail");
            requestId ??= Text(root, "traceId");
            if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in fields.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? [.. field.Value.EnumerateArray().Select(m => m.ToString())]
                        : [field.Value.ToString()];
                }
            }

            if (root.TryGetProperty("allowedTargets", out var allowed) && allowed.ValueKind == JsonValueKind.Array)
            {
                targets.AddRange(allowed.EnumerateArray().Select(t => t.ToString()));
            }
        }
        catch (JsonException)
        {
            // Not a problem body (a proxy's error page): the status and request id still say what happened.
        }

        return new ApiProblemException(status, code, title, detail, errors, targets, requestId);
    }

    private static string? Text(JsonElement root, string name) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
