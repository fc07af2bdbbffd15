using Microsoft.Extensions.Primitives;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// Headers on every response, whichever part of the pipeline wrote it (endpoints, problem details,
/// the exception handler, the rate limiter): they are added when the response starts.
/// </summary>
internal static class SecurityHeaders
{
    /// <summary>JSON only: nothing may load, run or frame it.</summary>
    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// The API reference page (Scalar) loads its script and fonts from its CDN and calls the Api it
    /// documents; it gets only that.
    /// </summary>
    public const string ReferencePagePolicy =
        "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; " +
        "font-src 'self' data: https://cdn.jsdelivr.net https://fonts.gstatic.com; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    public const string ReferencePagePath = "/scalar";

    private const string Hsts = "max-age=31536000; includeSubDomains";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, IHostEnvironment environment)
    {
        // One callback for every response, with the context as its state: nothing is allocated per response for it.
        var onStarting = new Writer(HstsApplies(environment)).OnStarting;
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(onStarting, context);
            return next(context);
        });
    }

    /// <summary>The two sets of headers, computed once as the header collection stores them.</summary>
    private sealed class Writer(bool hsts)
    {
        private readonly KeyValuePair<string, StringValues>[] api = Values(referencePage: false, hsts);
        private readonly KeyValuePair<string, StringValues>[] referencePage = Values(referencePage: true, hsts);

        public Task OnStarting(object state)
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            foreach (var (name, value) in context.Request.Path.StartsWithSegments(ReferencePagePath) ? referencePage : api)
            {
                headers[name] = value;
            }

            return Task.CompletedTask;
        }

        private static KeyValuePair<string, StringValues>[] Values(bool referencePage, bool hsts) =>
            [.. For(referencePage, hsts).Select(h => KeyValuePair.Create(h.Name, new StringValues(h.Value)))];
    }

    /// <summary>
    /// Outside Development TLS ends at the load balancer, so the request the Api sees is plain HTTP;
    /// browsers ignore the header on a plain-HTTP response, so it is always safe to send there.
    /// </summary>
    public static bool HstsApplies(IHostEnvironment environment) => !environment.IsDevelopment();

    /// <summary>The headers and their values, also for the responses Kestrel writes itself (<see cref="KestrelRejections"/>).</summary>
    public static IEnumerable<(string Name, string Value)> For(bool referencePage, bool hsts)
    {
        yield return ("X-Content-Type-Options", "nosniff");
        yield return ("X-Frame-Options", "DENY");
        yield return ("Referrer-Policy", "no-referrer");
        yield return ("Content-Security-Policy", referencePage ? ReferencePagePolicy : ApiPolicy);
        // Responses carry tenants' data: no shared or private cache keeps them. ETags still work,
        // since a client keeps the ETag it was given and sends it back.
        yield return ("Cache-Control", "no-store");
        if (hsts)
        {
            yield return ("Strict-Transport-Security", Hsts);
        }
    }
}
