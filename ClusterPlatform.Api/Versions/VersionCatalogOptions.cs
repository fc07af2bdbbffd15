using System.ComponentModel.DataAnnotations;

namespace ClusterPlatform.Api.Versions;

/// <summary>How the version catalog is refreshed from the update graph, section <c>Versions</c>.</summary>
internal sealed class VersionCatalogOptions
{
    public const string Section = "Versions";

    /// <summary>How often the update graph is read. Reads never wait for it: they answer from PostgreSQL.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><c>Simulated</c> (the fixed graph of SimulatedVersionGraph) or <c>Real</c> (not yet wired in the Api).</summary>
    [AllowedValues("Simulated")]
    public string Graph { get; set; } = "Simulated";
}
