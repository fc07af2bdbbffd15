using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace ClusterPlatform.AppHost;

/// <summary>
/// How many instances of each service a local run starts: <c>Topology:ApiReplicas</c> and
/// <c>Topology:ControllersReplicas</c> (default 1 each), applied with Aspire's WithReplicas, so a
/// local run and the tests can check what the GKE deployment's several replicas do. Run mode only:
/// the GKE manifests set their own replica counts.
/// </summary>
internal sealed record LocalTopology(int ApiReplicas, int ControllersReplicas)
{
    private const string Section = "Topology";

    public static bool TryRead(IConfiguration configuration, [NotNullWhen(true)] out LocalTopology? topology, [NotNullWhen(false)] out string? problem)
    {
        topology = null;
        problem = null;
        var settings = configuration.GetSection(Section);
        if (!TryReadReplicas(settings, nameof(ApiReplicas), out var api, out problem)
            || !TryReadReplicas(settings, nameof(ControllersReplicas), out var controllers, out problem))
        {
            return false;
        }

        topology = new LocalTopology(api, controllers);
        return true;
    }

    private static bool TryReadReplicas(IConfiguration settings, string name, out int replicas, [NotNullWhen(false)] out string? problem)
    {
        problem = null;
        var text = settings[name];
        if (text is null)
        {
            replicas = 1;
            return true;
        }

        if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out replicas) && replicas >= 1)
        {
            return true;
        }

        problem = $"{Section}:{name} is '{text}'; expected a whole number of at least 1.";
        return false;
    }
}

internal static class LocalTopologyExtensions
{
    public static IResourceBuilder<ProjectResource> WithLocalReplicas(this IResourceBuilder<ProjectResource> project, int replicas) =>
        project.ApplicationBuilder.ExecutionContext.IsRunMode && replicas > 1 ? project.WithReplicas(replicas) : project;
}
