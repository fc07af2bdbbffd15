using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Client;

/// <summary>
/// The Api's RFC 9457 problem (docs/api.md, "Errors") in one shape, whichever generated exception Kiota
/// threw: the document declares <see cref="ProblemDetails"/> for most errors and
/// <see cref="HttpValidationProblemDetails"/> (with <c>errors</c>) for a 400 on a write, and Kiota leaves
/// the field errors as untyped JSON because their keys are JSON paths. <see cref="AllowedTargets"/> is the
/// versions an upgrade refusal says the cluster may go to now (docs/api.md, Upgrades); empty otherwise.
/// </summary>
public sealed record ApiProblem(
    int Status,
    string? Title,
    string? Detail,
    string? Code,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Errors,
    string? TraceId,
    string? RequestId,
    IReadOnlyList<string> AllowedTargets)
{
    /// <summary>The header every Api response carries (ClusterPlatform.Api/Http/RequestLogging.cs).</summary>
    public const string RequestIdHeader = "X-Request-Id";

    /// <summary>The problem an exception from the client carries; null for any other exception.</summary>
    public static ApiProblem? From(Exception exception) => exception switch
    {
        HttpValidationProblemDetails v => new(v.ResponseStatusCode, v.Title, v.Detail, v.Code, FieldErrors(v.Errors?.AdditionalData), v.TraceId, RequestIdOf(v), []),
        // The document declares no `errors` on ProblemDetails, but a 422 `version-not-enabled` carries them
        // (docs/api.md, Errors): Kiota keeps them in AdditionalData as untyped JSON.
        ProblemDetails p => new(p.ResponseStatusCode, p.Title, p.Detail, p.Code,
            FieldErrors(p.AdditionalData.TryGetValue("errors", out var e) && e is UntypedObject o ? o.GetValue().ToDictionary(f => f.Key, f => (object)f.Value) : null),
            p.TraceId, RequestIdOf(p), p.AllowedTargets ?? []),
        // A status the document does not declare for the operation, or a body that is no problem.
        ApiException a => new(a.ResponseStatusCode, a.Message, null, null, Empty, null, RequestIdOf(a), []),
        _ => null,
    };

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Empty = new Dictionary<string, IReadOnlyList<string>>();

    private static string? RequestIdOf(ApiException e) =>
        e.ResponseHeaders.FirstOrDefault(h => string.Equals(h.Key, RequestIdHeader, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> FieldErrors(IDictionary<string, object>? errors)
    {
        if (errors is null)
        {
            return Empty;
        }

        var result = new SortedDictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (path, value) in errors)
        {
            result[path] = value switch
            {
                UntypedArray array => [.. array.GetValue().Select(UntypedText.Of)],
                IEnumerable<object> items => [.. items.Select(UntypedText.Of)],
                _ => [UntypedText.Of(value)],
            };
        }

        return result;
    }
}
