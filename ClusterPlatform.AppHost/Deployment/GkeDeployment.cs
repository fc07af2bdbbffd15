using ClusterPlatform.Contracts;
using Aspire.Hosting.Pipelines;
using Aspire.Hosting.Publishing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.AppHost.Deployment;

/// <summary>
/// Publish mode: what production adds to the model (its parameters and the settings that differ
/// from a local run), and the step that turns the written Aspire manifest into the GKE manifests,
/// so both come from this one model in one command.
/// </summary>
internal static class GkeDeployment
{
    /// <summary>Where the GKE manifests go, beside the Aspire manifest.</summary>
    public const string Directory = "gke";

    public static void Configure(IResourceBuilder<ProjectResource> api, IResourceBuilder<ProjectResource> controllers, IResourceBuilder<ProjectResource> console,
        DeploymentParameterSet parameters)
    {
        // People sign in at the same OIDC authority the Api trusts; the console passes their access tokens on.
        console.WithEnvironment("Authentication__Users__Authority", parameters[DeploymentParameters.OidcAuthority])
            .WithEnvironment("Authentication__Users__ClientId", parameters[DeploymentParameters.ConsoleClientId]);
        // Controllers ask the metadata server for ID tokens with this audience, and the Api accepts only it.
        var audience = ReferenceExpression.Create($"https://{parameters[DeploymentParameters.ApiHost]}");
        api.WithEnvironment("Authentication__Google__Audience", audience)
            .WithEnvironment("Authentication__Users__Authority", parameters[DeploymentParameters.OidcAuthority])
            .WithEnvironment("Authentication__Users__Audience", parameters[DeploymentParameters.OidcAudience])
            .WithEnvironment("Http__Cors__AllowedOrigins__0", parameters[DeploymentParameters.ConsoleOrigin])
            // The version catalog from OpenShift's update graph (api.openshift.com); local runs keep the simulated one.
            .WithEnvironment("Versions__Graph", "Real");
        foreach (var controller in ControllerNames.All)
        {
            api.WithEnvironment($"Authentication__Google__Controllers__{controller}", parameters[DeploymentParameters.ServiceAccount(controller)]);
        }

        controllers.WithEnvironment("ControllerAuth__Audience", audience)
            .WithEnvironment("Providers__Mode", "Real")
            .WithEnvironment("Providers__Gcp__DnsProjectId", parameters[DeploymentParameters.DnsProject]);

        api.ApplicationBuilder.Eventing.Subscribe<AfterPublishEvent>(WriteAsync);
    }

    private static async Task WriteAsync(AfterPublishEvent published, CancellationToken cancellationToken)
    {
        var logger = published.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(GkeDeployment));
        // --output-path is bound to PipelineOptions in Aspire 13 (PublishingOptions is obsolete); still marked for evaluation.
#pragma warning disable ASPIREPIPELINES001
        var outputPath = published.Services.GetRequiredService<IOptions<PipelineOptions>>().Value.OutputPath
#pragma warning restore ASPIREPIPELINES001
            ?? throw new InvalidOperationException("The GKE manifests are written beside the Aspire manifest: give --output-path.");
        var manifestPath = System.IO.Directory.Exists(outputPath) ? Path.Combine(outputPath, "aspire-manifest.json") : outputPath;
        var configuration = published.Services.GetRequiredService<IConfiguration>();

        var manifest = await AspireManifest.ReadAsync(manifestPath, cancellationToken);
        var files = GkeManifests.Generate(manifest, name => configuration[$"Parameters:{name}"]);
        var root = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!, Directory);
        await KustomizeLayout.WriteAsync(root, files, cancellationToken);
        logger.LogInformation("Wrote the GKE manifests ({Count} files) to {Directory}: render with kubectl kustomize {Overlay}",
            files.Count, root, Path.Combine(root, KustomizeLayout.ExampleOverlay));
    }
}
