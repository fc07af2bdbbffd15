using System.Collections;
using System.Diagnostics;

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
            var requestId = context.Request.Headers[Header] is [{ } given] && IsSane(given)
                ? given
                : Activity.Current?.TraceId.ToString() ?? Guid.NewGuid().ToString("N");
            // One object per request: the log scope, and the state of the callback that echoes the id.
            var request = new RequestScope(context, requestId);
            context.Response.OnStarting(EchoId, request);

            var started = Stopwatch.GetTimestamp();
            using (logger.BeginScope(request))
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

    private static readonly Func<object, Task> EchoId = static state =>
    {
        var request = (RequestScope)state;
        request.Context.Response.Headers[Header] = request.RequestId;
        return Task.CompletedTask;
    };

    private static void Log(ILogger logger, HttpContext context, string requestId, TimeSpan duration)
    {
        var status = context.RequestAborted.IsCancellationRequested && !context.Response.HasStarted ? 499 : context.Response.StatusCode;
        // A passing health probe (GKE: readiness every 5 s and liveness every 10 s, per pod) would be
        // most of an idle Api's log; a failing one is a state change and stays at Information.
        var level = status < 400 && IsProbe(context.Request.Path) ? LogLevel.Debug : LogLevel.Information;
        if (!logger.IsEnabled(level))
        {
            return; // nothing below is needed for a line no one keeps
        }

        // The exception handler clears the endpoint before it writes the problem; its feature keeps it.
        var endpoint = context.GetEndpoint() ?? context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Endpoint;
        var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        var subject = context.User.Identity?.IsAuthenticated == true ? context.User.Identity.Name ?? "(no subject)" : "anonymous";
        Completed(logger, level, context.Request.Method, route, status, duration.TotalMilliseconds, subject, requestId);
    }

    [LoggerMessage("{Method} {Route} -> {Status} in {DurationMs:0.0} ms by {Subject} (request {RequestId})", SkipEnabledCheck = true)]
    private static partial void Completed(ILogger logger, LogLevel level, string method, string route, int status, double durationMs, string subject,
        string requestId);

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(ServiceDefaultsExtensions.HealthPath) || path.StartsWithSegments(ServiceDefaultsExtensions.AlivePath);

    /// <summary>Echoed into a header and the logs, so only a short, plain token is accepted: <c>[A-Za-z0-9._:-]{1,128}</c>.</summary>
    private static bool IsSane(string id)
    {
        if (id.Length is 0 or > 128)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or ':' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The scope of a request's log lines: its id, as one named value.</summary>
    private sealed class RequestScope(HttpContext context, string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public HttpContext Context { get; } = context;

        public string RequestId { get; } = requestId;

        public int Count => 1;

        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new("RequestId", RequestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => $"RequestId:{RequestId}";
    }
}
