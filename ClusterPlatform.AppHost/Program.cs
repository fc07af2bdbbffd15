using ClusterPlatform.AppHost.Deployment;
using Microsoft.Extensions.Hosting;

namespace ClusterPlatform.AppHost;

// An explicit entry point, not top-level statements: ASP.NET Core's PublicProgramSourceGenerator
// makes a top-level `Program` public, and it would clash with the Api's `Program` in the tests,
// which reference both projects.
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);

        // Publish mode describes the GKE deployment: its parameters replace the local infrastructure.
        var deployment = builder.ExecutionContext.IsPublishMode ? DeploymentParameters.AddTo(builder) : null;
        if (!LocalTopology.TryRead(builder.Configuration, out var topology, out var problem)
            || !ClusterDatabase.TryAdd(builder, deployment, out var database, out problem)
            || !ClusterEventBus.TryAdd(builder, deployment, out var eventBus, out problem))
        {
            await Console.Error.WriteLineAsync($"ClusterPlatform cannot start: {problem}");
            return 1;
        }

        var api = builder.AddProject<Projects.ClusterPlatform_Api>(ResourceNames.Api)
            .WithReference(database.ConnectionString)
            .WithEventBus(eventBus)
            .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
            .WithQuickTelemetryShutdown()
            .WithLocalReplicas(topology.ApiReplicas)
            .WithRestartOnCrash();
        if (database.Server is not null)
        {
            api.WaitFor(database.Server);
            database.Server.WithRestartOnCrash();
        }

        eventBus.Emulator?.WithRestartOnCrash();

        var controllers = builder.AddProject<Projects.ClusterPlatform_Controllers>(ResourceNames.Controllers)
            .WithReference(api.GetEndpoint("http"))
            .WaitFor(api)
            .WithEventBus(eventBus)
            .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
            .WithQuickTelemetryShutdown()
            .WithLocalReplicas(topology.ControllersReplicas)
            .WithRestartOnCrash();

        // The web console: people sign in there and it calls the Api with their own tokens.
        var console = builder.AddProject<Projects.ClusterPlatform_Console>(ResourceNames.Console)
            .WithReference(api.GetEndpoint("http"))
            // Its own database, for the Data Protection key ring every replica shares (SignIn/SharedKeyRing.cs).
            .WithReference(database.ConsoleConnectionString)
            .WaitFor(api)
            .WithHttpHealthCheck(ServiceDefaultsExtensions.HealthPath)
            .WithQuickTelemetryShutdown()
            .WithExternalHttpEndpoints()
            .WithRestartOnCrash();
        if (database.Server is not null)
        {
            console.WaitFor(database.Server);
        }

        api.WithLocalRunCredentials(controllers, console);
        if (deployment is not null)
        {
            GkeDeployment.Configure(api, controllers, console, deployment);
        }

        await builder.Build().RunAsync();
        return 0;
    }
}
