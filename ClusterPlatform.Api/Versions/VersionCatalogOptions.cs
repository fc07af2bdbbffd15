using System.ComponentModel.DataAnnotations;

namespace ClusterPlatform.Api.Versions;

/// <summary>How the version catalog is refreshed from the update graph, section <c>Versions</c>.</summary>
internal sealed class VersionCatalogOptions
{
    public const string Section = "Versions";

    /// <summary>The fixed graph of <see cref="SimulatedVersionGraph"/>, the default so a local run never calls out.</summary>
    public const string Simulated = "Simulated";

    /// <summary>OpenShift's update graph (Cincinnati) at <see cref="GraphUrl"/>, read by <see cref="CincinnatiVersionGraph"/>.</summary>
    public const string Real = "Real";

    /// <summary>How often the update graph is read. Reads never wait for it: they answer from PostgreSQL.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary><see cref="Simulated"/> or <see cref="Real"/>.</summary>
    [AllowedValues(Simulated, Real)]
    public string Graph { get; set; } = Simulated;

    /// <summary>
    /// The graph endpoint when <see cref="Graph"/> is <see cref="Real"/>: Red Hat's policy engine,
    /// <c>{path_prefix}/v1/graph</c> with <c>path_prefix = /api/upgrades_info</c>
    /// (openshift/cincinnati@49c914f8, policy-engine/src/main.rs and dist/openshift/cincinnati-deployment.yaml).
    /// </summary>
    public Uri GraphUrl { get; set; } = new("https://api.openshift.com/api/upgrades_info/v1/graph");

    /// <summary>
    /// The graph's <c>arch</c>: <c>multi</c>, the heterogeneous payloads HyperShift clusters run (the
    /// issue's <c>arch=multi</c>). The pattern is the policy engine's own check, which refuses
    /// anything else with 400 <c>invalid_params</c> (cincinnati/src/plugins/internal/arch_filter.rs,
    /// openshift/cincinnati@49c914f8), so a typo fails at start instead of at every refresh.
    /// </summary>
    [RegularExpression("^[0-9a-z]+$")]
    public string GraphArchitecture { get; set; } = "multi";
}
