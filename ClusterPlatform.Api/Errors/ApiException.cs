namespace ClusterPlatform.Api.Errors;

/// <summary>
/// A request the API refuses. Thrown anywhere below an endpoint and turned into an RFC 9457
/// problem response by <see cref="ProblemExceptionHandler"/>, the one place errors are mapped.
/// </summary>
public sealed class ApiException(int status, string code, string title, string detail,
    IReadOnlyDictionary<string, string[]>? errors = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
    public IReadOnlyDictionary<string, string[]>? Errors { get; } = errors;

    /// <summary>The versions a refused upgrade could go to instead (the problem's <c>allowedTargets</c>), when it is one.</summary>
    public IReadOnlyList<string>? AllowedTargets { get; init; }

    public static ApiException Validation(IReadOnlyDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "validation-failed", "The request is invalid",
            $"{errors.Sum(e => e.Value.Length)} validation rule(s) failed.", errors);

    public static ApiException BadRequest(string code, string detail) =>
        new(StatusCodes.Status400BadRequest, code, "The request is invalid", detail);

    public static ApiException NotFound(string kind, Guid id) =>
        new(StatusCodes.Status404NotFound, "not-found", "Not found", $"{kind} {id} does not exist.");

    /// <summary>A 404 for a part of a visible resource that does not exist yet; the code says which.</summary>
    public static ApiException NotFound(string code, string detail) =>
        new(StatusCodes.Status404NotFound, code, "Not found", detail);

    public static ApiException Conflict(string code, string detail) =>
        new(StatusCodes.Status409Conflict, code, "Conflict", detail);

    public static ApiException PreconditionFailed() =>
        new(StatusCodes.Status412PreconditionFailed, "precondition-failed", "Precondition failed",
            "If-Match does not match the current ETag; read the resource again and retry.");

    public static ApiException Forbidden(string code, string detail) =>
        new(StatusCodes.Status403Forbidden, code, "Forbidden", detail);

    public static ApiException PayloadTooLarge(int limit) =>
        new(StatusCodes.Status413PayloadTooLarge, "payload-too-large", "Payload too large",
            $"The request body exceeds {limit} bytes.");

    public static ApiException UnsupportedMediaType(string expected) =>
        new(StatusCodes.Status415UnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
            $"The request body must be {expected}.");

    public static ApiException Unprocessable(string code, string detail) =>
        new(StatusCodes.Status422UnprocessableEntity, code, "Unprocessable request", detail);
}
