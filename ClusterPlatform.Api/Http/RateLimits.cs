using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// Per-identity token buckets (<see cref="RateLimitOptions"/>): reads and writes are counted apart,
/// writes more strictly. The identity is the token's subject with its organization, else the client
/// address (anonymous requests are rejected by authorization anyway, but must not be free to flood).
/// A rejected request gets 429 with <c>Retry-After</c> and a problem body. Controllers are not limited.
/// </summary>
internal static class RateLimits
{
    public static IServiceCollection AddApiRateLimits(this IServiceCollection services, RateLimitOptions limits)
    {
        services.AddSingleton(limits);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Only limited callers reach the limiter (UseApiRateLimits).
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var write = !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method);
                return RateLimitPartition.GetTokenBucketLimiter($"{(write ? "w" : "r")}|{Identity(context)}", _ => new TokenBucketRateLimiterOptions
                    {
                        TokenLimit = write ? limits.WriteBurst : limits.ReadBurst,
                        TokensPerPeriod = write ? limits.WritesPerSecond : limits.ReadsPerSecond,
                        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    });
            });
            options.OnRejected = (rejected, _) =>
            {
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
                rejected.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                return new ValueTask(ProblemExceptionHandler.WriteAsync(rejected.HttpContext, StatusCodes.Status429TooManyRequests, "rate-limited",
                    "Too many requests", "This identity sent more requests than its limit allows; retry after the time in Retry-After."));
            };
        });
        return services;
    }

    /// <summary>
    /// The limiter, for the callers it limits. The controllers are the platform's own workers: their pace
    /// follows the fleet's events, and throttling them would only delay every tenant's clusters. They (and
    /// everyone, when the limits are off) skip the limiter altogether rather than pass through a no-op
    /// partition, which cost every request a partition lookup under the limiter's lock, a lease, and the
    /// limiter's metrics: 1.6% of the Api's CPU for a controller's GET (docs/benchmarks.md, the ablation).
    /// </summary>
    public static IApplicationBuilder UseApiRateLimits(this IApplicationBuilder app) =>
        app.ApplicationServices.GetRequiredService<RateLimitOptions>().Enabled
            ? app.UseWhen(context => !context.User.IsInRole(ApiRoles.Controller), limited => limited.UseRateLimiter())
            : app;

    private static string Identity(HttpContext context) =>
        context.User.Identity?.IsAuthenticated == true && context.User.FindFirst(ApiClaims.Subject)?.Value is { } subject
            // "caller|" and "ip|" apart, so no subject and organization share an address's bucket.
            ? $"caller|{Caller.KeyOf(subject, context.User.FindFirst(ApiClaims.Organization)?.Value)}"
            : $"ip|{context.Connection.RemoteIpAddress}";
}
