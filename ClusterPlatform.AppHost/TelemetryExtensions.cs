namespace ClusterPlatform.AppHost;

internal static class TelemetryExtensions
{
    /// <summary>
    /// DCP stops the dashboard first, so a project's last OTLP export can only time out; with the
    /// default 10 s it outlives DCP's grace period and is SIGKILLed (a 12–13 s shutdown). 500 ms
    /// lets the whole topology stop in about 4 s. Run mode only: a deployment's collector is there
    /// at shutdown, and a short timeout would only drop telemetry under load.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithQuickTelemetryShutdown(this IResourceBuilder<ProjectResource> project) =>
        project.ApplicationBuilder.ExecutionContext.IsRunMode
            ? project.WithEnvironment("OTEL_EXPORTER_OTLP_TIMEOUT", "500")
            : project;
}
