using System.Diagnostics.CodeAnalysis;
using ClusterPlatform.AppHost.Deployment;
using Microsoft.Extensions.Configuration;

namespace ClusterPlatform.AppHost;

/// <summary>
/// The Pub/Sub the Api publishes cluster events to and the Controllers subscribe to: Google's
/// emulator in a local run (its executable from the Google Cloud CLI, or its container image), Cloud
/// Pub/Sub in a deployment, where the project id is a parameter and there is no emulator.
/// </summary>
internal sealed record ClusterEventBus(IResourceBuilder<IResource>? Emulator, ReferenceExpression? EmulatorHost, ReferenceExpression ProjectId, ReferenceExpression? Topic = null)
{
    private const string Settings = "PubSub";

    private const string ContainerImage = "gcr.io/google.com/cloudsdktool/google-cloud-cli";
    private const string ContainerTag = "emulators";
    private const int ContainerPort = 8085;

    /// <summary>
    /// Adds the event bus. Settings (optional): <c>PubSub:Mode</c> Auto, Local or Container;
    /// <c>PubSub:EmulatorPath</c>; <c>PubSub:Port</c> (default: a free port each run).
    /// </summary>
    public static bool TryAdd(IDistributedApplicationBuilder builder, DeploymentParameterSet? deployment,
        [NotNullWhen(true)] out ClusterEventBus? bus, [NotNullWhen(false)] out string? problem)
    {
        bus = null;
        problem = null;
        if (deployment is not null)
        {
            var project = deployment[DeploymentParameters.PubSubProject];
            var topic = deployment[DeploymentParameters.PubSubTopic];
            bus = new(null, null, ReferenceExpression.Create($"{project}"), ReferenceExpression.Create($"{topic}"));
            return true;
        }

        var settings = builder.Configuration.GetSection(Settings);
        var executable = LocalPubSubEmulator.FindExecutable(settings["EmulatorPath"]);
        var missing = $"Google's Pub/Sub emulator was not found. {LocalPubSubEmulator.InstallHint}";
        if (!HostingChoice.TryChoose(builder.Configuration, Settings, executable is not null, missing, out var hosting, out problem))
        {
            return false;
        }

        IResourceBuilder<IResourceWithEndpoints> emulator;
        if (hosting == Hosting.Local)
        {
            // Chosen here because it is part of the emulator's command line; not proxied, because
            // Aspire's proxy does not pass gRPC's HTTP/2 (PLATFORM-NOTES).
            var port = settings.GetValue<int?>("Port") ?? LoopbackPorts.Free();
            var command = LocalPubSubEmulator.Command(port, executable);
            emulator = builder.AddExecutable(ResourceNames.PubSub, command.FileName, builder.AppHostDirectory, [.. command.Arguments])
                .WithHttpEndpoint(port: port, targetPort: port, name: "http", isProxied: false);
        }
        else
        {
            emulator = builder.AddContainer(ResourceNames.PubSub, ContainerImage, ContainerTag)
                .WithArgs("gcloud", "beta", "emulators", "pubsub", "start", $"--host-port=0.0.0.0:{ContainerPort}")
                .WithHttpEndpoint(targetPort: ContainerPort, name: "http", isProxied: false);
        }

        // The emulator answers "Ok" on / once it serves; topics and subscriptions are the services' job.
        emulator.WithHttpHealthCheck("/");
        var endpoint = emulator.GetEndpoint("http");
        bus = new(emulator, ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}"),
            ReferenceExpression.Create($"{ResourceNames.LocalPubSubProject}"));
        return true;
    }
}

internal static class ClusterEventBusExtensions
{
    /// <summary>Points a service at the event bus: the project id, and the emulator (waited for) when there is one.</summary>
    public static IResourceBuilder<ProjectResource> WithEventBus(this IResourceBuilder<ProjectResource> project, ClusterEventBus bus)
    {
        project.WithEnvironment("PUBSUB_PROJECT_ID", bus.ProjectId);
        if (bus.Topic is not null)
        {
            project.WithEnvironment("PubSub__Topic", bus.Topic);
        }
        if (bus.Emulator is not null)
        {
            project.WithEnvironment("PUBSUB_EMULATOR_HOST", bus.EmulatorHost!).WaitFor(bus.Emulator);
        }

        return project;
    }
}
