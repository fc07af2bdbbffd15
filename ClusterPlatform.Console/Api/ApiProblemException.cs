using System.Net;
using ClusterPlatform.Client;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Kiota.Abstractions;

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

    /// <summary>The session holds no Api token: the same answer the Api would give without one.</summary>
    public static ApiProblemException SignedOut() =>
        new(401, "unauthenticated", "You are signed out", "Sign in again to continue.", new Dictionary<string, string[]>(), [], null);

    /// <summary>
    /// The refusal the generated client threw, through the client's one reading of a problem
    /// (<see cref="ApiProblem.From"/>). A status the document does not declare, or a body that is no
    /// problem (a proxy's 502), has no title of its own: the status's reason phrase stands in, not
    /// Kiota's message about its error factories.
    /// </summary>
    public static ApiProblemException From(ApiException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var problem = ApiProblem.From(exception)!;
        var title = exception is Client.Models.ProblemDetails or Client.Models.HttpValidationProblemDetails && !string.IsNullOrEmpty(problem.Title)
            ? problem.Title
            : ReasonPhrases.GetReasonPhrase(problem.Status) is { Length: > 0 } reason ? reason : $"HTTP {problem.Status}";
        return new ApiProblemException(problem.Status, problem.Code, title, problem.Detail,
            problem.Errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal),
            problem.AllowedTargets, problem.RequestId ?? problem.TraceId);
    }
}
