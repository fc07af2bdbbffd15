using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// The responses Kestrel writes itself, for a request it could not parse or would not take (400 for a
/// malformed request line or header, 408 when the headers come too slowly, 414, 431). No middleware
/// runs for them and Kestrel offers no hook: it resets the response headers and writes a bare
/// <c>Content-Length: 0</c>, <c>Connection: close</c> head. So a connection middleware watches what is
/// written while no request is inside the application (<see cref="InApplication"/>), and gives such a
/// head the security headers, an <c>X-Request-Id</c> and a problem body, as every other response has.
/// </summary>
internal static class KestrelRejections
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Set on the connection; the application marks the time a request spends inside it.</summary>
    internal sealed class Connection
    {
        public volatile bool InApplication;
    }

    public static IServiceCollection AddKestrelRejections(this IServiceCollection services, IHostEnvironment environment)
    {
        var hsts = SecurityHeaders.HstsApplies(environment);
        return services.Configure<KestrelServerOptions>(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => async context =>
        {
            var connection = new Connection();
            context.Features.Set(connection);
            var transport = context.Transport;
            var logger = listen.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("ClusterPlatform.Api.Requests");
            context.Transport = new DuplexPipe(transport.Input, new RejectionWriter(transport.Output, connection, head => Rewrite(head, hsts, logger)));
            try
            {
                await next(context);
            }
            finally
            {
                context.Transport = transport;
            }
        })));
    }

    /// <summary>First in the pipeline: while a request is inside the application, its writes are its own.</summary>
    public static IApplicationBuilder UseKestrelRejections(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Features.Get<Connection>() is not { } connection)
        {
            return next(context); // HTTP/2 streams, test servers: nothing to watch
        }

        connection.InApplication = true;
        context.Response.OnCompleted(LeftApplication, connection);
        return next(context);
    });

    // Static, with the connection as its state: no closure per request.
    private static readonly Func<object, Task> LeftApplication = static state =>
    {
        ((Connection)state).InApplication = false;
        return Task.CompletedTask;
    };

    /// <summary>The rejection with the edge's headers and a problem body; null when <paramref name="written"/> is not a bare Kestrel head.</summary>
    private static byte[]? Rewrite(ReadOnlySpan<byte> written, bool hsts, ILogger logger)
    {
        if (!written.StartsWith("HTTP/1.1 "u8) || !written.EndsWith(HeadEnd) || written.Length > 1024)
        {
            return null;
        }

        var lines = Encoding.Latin1.GetString(written[..^HeadEnd.Length]).Split("\r\n");
        if (!lines.Contains("Content-Length: 0", StringComparer.OrdinalIgnoreCase) || !lines.Contains("Connection: close", StringComparer.OrdinalIgnoreCase)
            || !int.TryParse(lines[0].AsSpan(9, 3), out var status) || status < 400)
        {
            return null;
        }

        // The request was never parsed, so no caller's id can be trusted; a fresh one ties the log line to the answer.
        var requestId = Guid.NewGuid().ToString("N");
        var body = JsonSerializer.SerializeToUtf8Bytes(new ProblemDetails
        {
            Type = $"https://httpstatuses.io/{status}",
            Title = ProblemExceptionHandler.ReasonPhrases(status),
            Status = status,
            Detail = "The server could not read the request.",
            Extensions = { ["code"] = ProblemExceptionHandler.DefaultCode(status), ["traceId"] = requestId },
        });
        var head = new StringBuilder();
        foreach (var line in lines.Where(l => !l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)))
        {
            head.Append(line).Append("\r\n");
        }

        foreach (var (name, value) in SecurityHeaders.For(referencePage: false, hsts).Append((RequestLogging.Header, requestId))
                     .Append(("Content-Type", "application/problem+json")).Append(("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))))
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        logger.LogInformation("(unparsed request) -> {Status} by Kestrel (request {RequestId})", status, requestId);
        return [.. Encoding.Latin1.GetBytes(head.Append("\r\n").ToString()), .. body];
    }

    private sealed class DuplexPipe(System.IO.Pipelines.PipeReader input, System.IO.Pipelines.PipeWriter output) : System.IO.Pipelines.IDuplexPipe
    {
        public System.IO.Pipelines.PipeReader Input { get; } = input;

        public System.IO.Pipelines.PipeWriter Output { get; } = output;
    }
}
