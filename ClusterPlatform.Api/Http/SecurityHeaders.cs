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
        var hsts = !environment.IsDevelopment();
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(ReferencePagePath) ? ReferencePagePolicy : ApiPolicy;
                // Responses carry tenants' data: no shared or private cache keeps them. ETags still
                // work, since a client keeps the ETag it was given and sends it back.
                headers.CacheControl = "no-store";
                if (hsts)
                {
                    // Outside Development TLS ends at the load balancer, so the request the Api sees is
                    // plain HTTP; browsers ignore the header on a plain-HTTP response, so it is always safe.
                    headers.StrictTransportSecurity = Hsts;
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
    }
}
