using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Minimum log levels every ClusterPlatform process starts from, for libraries that write a line
/// per call at Information. At Information the log says what an operator needs: one line per
/// request (the Api's own), one per handled event (the controllers'), and state changes. Per-call
/// HTTP and retry chatter shows only when its category is lowered to Debug; warnings and errors from
/// these categories (a retry, a retry that gave up) always show.
/// </summary>
public static class LogLevelDefaults
{
    /// <summary>The categories (prefixes) and their minimum level.</summary>
    public static readonly IReadOnlyDictionary<string, string> Categories = new Dictionary<string, string>
    {
        // IHttpClientFactory's logging handlers: "Start processing", "Sending", "Received" and "End
        // processing" at Information for every call (dotnet/runtime,
        // src/libraries/Microsoft.Extensions.Http/src/Logging/). The Controllers make a few per event.
        ["System.Net.Http.HttpClient"] = "Warning",
        // The standard resilience handler reports through Polly's telemetry, category "Polly": every
        // attempt at Information, an attempt whose failure is handled (retried, or the last one) at
        // Warning (App-vNext/Polly, src/Polly.Core/Telemetry/TelemetryUtil.cs, ReportExecutionAttempt).
        ["Polly"] = "Warning",
        // Anything the resilience packages log under their own names.
        ["Microsoft.Extensions.Http.Resilience"] = "Warning",
        ["Microsoft.Extensions.Resilience"] = "Warning",
        // Hosting's "Request starting/finished" and routing's "Executing endpoint" for every request:
        // the Api writes its own one line per request, and in the Controllers they would be a pair of
        // lines per health probe (every 5 to 10 s in GKE).
        ["Microsoft.AspNetCore"] = "Warning",
        // Npgsql: "Command execution completed" for every statement, and "Starting to wait" each time
        // the outbox relay waits on its LISTEN connection (npgsql/npgsql, src/Npgsql/LogMessages.cs:
        // CommandExecutionCompleted and StartingWait are its only Information messages). Only the
        // Api talks to PostgreSQL.
        ["Npgsql.Command"] = "Warning",
        ["Npgsql.Connection"] = "Warning",
    };

    /// <summary>
    /// Adds <see cref="Categories"/> as the lowest-precedence configuration, so that appsettings,
    /// environment variables (<c>Logging__LogLevel__Polly=Debug</c> to see every attempt) and the
    /// command line still override each of them, and every host (local, tests, GKE) gets the same.
    /// </summary>
    public static void AddLogLevelDefaults(this IHostApplicationBuilder builder) =>
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource
        {
            InitialData = Categories.Select(c => KeyValuePair.Create($"Logging:LogLevel:{c.Key}", (string?)c.Value)),
        });
}
