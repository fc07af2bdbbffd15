using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ClusterPlatform.Api.Errors;

/// <summary>
/// The single place where failures become <c>application/problem+json</c>: every body carries
/// <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c>, a stable <c>code</c> and <c>traceId</c>.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            ApiException api => ToProblem(api),
            // Kestrel's own limits (body size, malformed requests) surface as BadHttpRequestException.
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                ToProblem(ApiException.PayloadTooLarge(RequestBody.MaxBytes)),
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode, Title = "Bad request", Detail = "The request could not be read.",
                Extensions = { ["code"] = DefaultCode(bad.StatusCode) },
            },
            // Two transactions locked the same rows in opposite orders (PostgreSQL aborted one), or a
            // serialization conflict: nothing was written, and the same request will succeed again.
            Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.DeadlockDetected or Npgsql.PostgresErrorCodes.SerializationFailure } =>
                Retryable(context),
            _ when !context.RequestAborted.IsCancellationRequested && DatabaseErrors.IsUnavailable(exception) =>
                DatabaseUnavailable(context, exception),
            OperationCanceledException when context.RequestAborted.IsCancellationRequested => null,
            _ => null,
        };

        if (problem is null)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                return true; // client went away; nothing to answer
            }

            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            problem = new ProblemDetails
            {
                Status = StatusCodes.Status500InternalServerError,
                Title = "Internal error",
                Detail = "The server failed to process the request. The trace id identifies it in the logs.",
                Extensions = { ["code"] = "internal-error" },
            };
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// What a client waits before repeating a 503. One second: a conflict is gone at once, and the
    /// relay probes a database that went away every second too (<c>Outbox:ProbeInterval</c>), so
    /// both notice a recovery at about the same time.
    /// </summary>
    private const string RetryAfterSeconds = "1";

    private static ProblemDetails Retryable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Conflict with a concurrent change",
            Detail = "The request conflicted with a concurrent change and nothing was written; retry it.",
            Extensions = { ["code"] = "retry" },
        };
    }

    /// <summary>
    /// The database is down, restarting or refusing connections (<see cref="DatabaseErrors.IsUnavailable"/>):
    /// an outage, not a bug, so one warning line without a stack trace, and a 503 the client can retry.
    /// A write that met it is safe to repeat: it either rolled back, or (the connection lost during
    /// its commit) committed, and a create repeated with its Idempotency-Key returns the first answer.
    /// </summary>
    private ProblemDetails DatabaseUnavailable(HttpContext context, Exception exception)
    {
        logger.LogWarning("Database unavailable on {Method} {Path}: {Error}; answered 503",
            context.Request.Method, context.Request.Path, DatabaseErrors.Describe(exception));
        context.Response.Headers.RetryAfter = RetryAfterSeconds;
        return new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Service unavailable",
            Detail = "The Api's database is unavailable for the moment; retry after the time in Retry-After.",
            Extensions = { ["code"] = ServiceUnavailableCode },
        };
    }

    /// <summary>The code of a 503 for an unavailable dependency.</summary>
    internal const string ServiceUnavailableCode = "service-unavailable";

    private static ProblemDetails ToProblem(ApiException e)
    {
        var problem = e.Errors is null
            ? new ProblemDetails()
            : new HttpValidationProblemDetails(e.Errors.ToDictionary(k => k.Key, v => v.Value));
        problem.Status = e.Status;
        problem.Title = e.Title;
        problem.Detail = e.Message;
        problem.Extensions["code"] = e.Code;
        if (e.AllowedTargets is { } targets)
        {
            problem.Extensions["allowedTargets"] = targets;
        }

        return problem;
    }

    /// <summary>
    /// Answers with a problem body from outside the exception path (the rate limiter's 429, the
    /// timeout's 504), through the same service and <see cref="Customize"/> as every other problem.
    /// </summary>
    public static Task WriteAsync(HttpContext context, int status, string code, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail, Extensions = { ["code"] = code } },
        }).AsTask();
    }

    /// <summary>Fills the fields every problem body must carry, including ones ASP.NET writes itself (404, 405, 401).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        problem.Type ??= $"https://httpstatuses.io/{status}";
        problem.Title ??= ReasonPhrases(status);
        problem.Detail ??= problem.Title;
        problem.Extensions.TryAdd("code", DefaultCode(status));
        problem.Extensions["traceId"] = Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier;
        problem.Instance ??= context.HttpContext.Request.Path;
    }

    internal static string ReasonPhrases(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    /// <summary>The code of a problem that carries none of its own, by status; Kestrel's own refusals get theirs here too.</summary>
    internal static string DefaultCode(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "bad-request",
        StatusCodes.Status401Unauthorized => "unauthenticated",
        StatusCodes.Status403Forbidden => "forbidden",
        StatusCodes.Status404NotFound => "not-found",
        StatusCodes.Status405MethodNotAllowed => "method-not-allowed",
        StatusCodes.Status408RequestTimeout => "request-timeout",
        StatusCodes.Status413PayloadTooLarge => "payload-too-large",
        StatusCodes.Status414UriTooLong => "uri-too-long",
        StatusCodes.Status415UnsupportedMediaType => "unsupported-media-type",
        StatusCodes.Status431RequestHeaderFieldsTooLarge => "headers-too-large",
        StatusCodes.Status429TooManyRequests => "rate-limited",
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailableCode,
        StatusCodes.Status504GatewayTimeout => "timeout",
        _ => "error",
    };
}
