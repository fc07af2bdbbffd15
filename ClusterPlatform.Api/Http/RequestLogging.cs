using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// One log line per request: method, route template, status, duration, the caller's subject and the
/// request id. The request id comes from <c>X-Request-Id</c> when the caller sent a sane one, else it
/// is made here; it is echoed back and scopes every log line of the request. Never logged: headers
/// (tokens), bodies, query strings (label selectors may carry tenants' data).
/// </summary>
internal static partial class RequestLogging
{
    public const string Header = "X-Request-Id";

    public static IApplicationBuilder UseRequestLogging(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterPlatform.Api.Requests");
        return app.Use(async (context, next) =>
        {
            var requestId = context.Request.Headers[Header] is [{ } given] && SaneRequestId().IsMatch(given)
                ? given
                : Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[Header] = requestId;
                return Task.CompletedTask;
            });

            var started = Stopwatch.GetTimestamp();
            using (logger.BeginScope(new Dictionary<string, object> { ["RequestId"] = requestId }))
            {
                try
                {
                    await next(context);
                }
                finally
                {
                    Log(logger, context, requestId, Stopwatch.GetElapsedTime(started));
                }
            }
        });
    }

    private static void Log(ILogger logger, HttpContext context, string requestId, TimeSpan duration)
    {
        // The exception handler clears the endpoint before it writes the problem; its feature keeps it.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        var subject = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "(no subject)" : "anonymous";
        var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        // A passing health probe (GKE: readiness every 5 s and liveness every 10 s, per pod) would be
        // most of an idle Api's log; a failing one is a state change and stays at Information.
        var level = status < 400 && IsProbe(context.Request.Path) ? LogLevel.Debug : LogLevel.Information;
        logger.Log(level, "{Method} {Route} -> {Status} in {DurationMs:0.0} ms by {Subject} (request {RequestId})",
            context.Request.Method, route, status, duration.TotalMilliseconds, subject, requestId);
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) || path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath);

    // Echoed into a header and the logs, so only a short, plain token is accepted.
    [GeneratedRegex(@"^[A-Za-z0-9._:-]{1,128}\z")]
    private static partial Regex SaneRequestId();
}
