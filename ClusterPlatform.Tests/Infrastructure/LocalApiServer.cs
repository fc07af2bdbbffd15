using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// A Kestrel app on 127.0.0.1 with a random port that plays a remote API (Google REST, Kubernetes)
/// on its real paths, and records each request as "METHOD /path?query -> status".
/// </summary>
internal sealed class LocalApiServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<string> requests;

    private LocalApiServer(WebApplication app, ConcurrentQueue<string> requests)
    {
        this.app = app;
        this.requests = requests;
        BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/");
    }

    public Uri BaseAddress { get; }

    /// <summary>The requests so far, oldest first.</summary>
    public IReadOnlyList<string> Log => [.. requests];

    public static async Task<LocalApiServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var requests = new ConcurrentQueue<string>();
        app.Use(async (context, next) =>
        {
            await next(context);
            requests.Enqueue($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString} -> {context.Response.StatusCode}");
        });
        map(app);
        await app.StartAsync();
        return new LocalApiServer(app, requests);
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    /// <summary>A Google-style error body.</summary>
    public static IResult GoogleError(int status, string message) => Results.Json(
        new { error = new { code = status, message, status = status switch { 403 => "PERMISSION_DENIED", 404 => "NOT_FOUND", 409 => "ALREADY_EXISTS", 412 => "FAILED_PRECONDITION", _ => "UNAVAILABLE" } } },
        statusCode: status);
}
