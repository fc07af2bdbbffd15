using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// The Api's edge, in one place: request ids and logging, security headers, CORS, per-identity rate
/// limits and request timeouts (configured in <see cref="HttpOptions"/>). Body limits (413) and
/// content-type checks (415) live with the body reader (Validation/RequestBody).
/// </summary>
internal static class HttpHardening
{
    public const string CorsPolicy = "api";

    public static IServiceCollection AddHttpHardening(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var options = configuration.GetSection(HttpOptions.Section).Get<HttpOptions>() ?? new HttpOptions();

        services.AddRequestTimeouts(timeouts =>
        {
            timeouts.DefaultPolicy = Timeout(options.Timeouts.Default);
            foreach (var group in EndpointGroups.All)
            {
                timeouts.AddPolicy(group, Timeout(options.Timeouts.Groups.GetValueOrDefault(group, options.Timeouts.Default)));
            }
        });

        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .SetIsOriginAllowed(origin => options.Cors.AllowedOrigins.Contains(origin, StringComparer.OrdinalIgnoreCase)
                || (environment.IsDevelopment() && DevelopmentOrigins.Allows(origin)))
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type", "If-Match", "If-None-Match", "Idempotency-Key", RequestLogging.Header)
            .WithExposedHeaders("ETag", "Location", "Retry-After", RequestLogging.Header)));

        // Kestrel names itself in every response by default; that only tells an attacker what to try.
        services.Configure<KestrelServerOptions>(kestrel => kestrel.AddServerHeader = false);
        services.AddKestrelRejections(environment);
        services.AddApiRateLimits(options.RateLimits);
        return services;
    }

    /// <summary>Before everything else, so even a failure early in the pipeline is logged with its id and headers.</summary>
    public static IApplicationBuilder UseEdge(this IApplicationBuilder app, IHostEnvironment environment) =>
        app.UseKestrelRejections().UseRequestLogging().UseSecurityHeaders(environment);

    /// <summary>After authentication (the limits are per identity), before authorization and the endpoints.</summary>
    public static IApplicationBuilder UseLimits(this IApplicationBuilder app) =>
        app.UseApiRateLimits().UseRequestTimeouts();

    private static RequestTimeoutPolicy Timeout(TimeSpan timeout) => new()
    {
        Timeout = timeout,
        TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
        WriteTimeoutResponse = context => ProblemExceptionHandler.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "timeout", "Request timed out",
            $"The request did not finish within {timeout.TotalSeconds:0.#} s and was cancelled; a write that timed out was rolled back."),
    };
}
