namespace ClusterPlatform.Providers;

/// <summary>
/// Where and how <see cref="UpdateGraphClient"/> reads OpenShift's update graph (Cincinnati). The
/// Controllers bind it from <c>Providers:UpdateGraph</c> (all of it: their release-image cache uses
/// the TTLs); the Api sets <see cref="Url"/> and <see cref="Architecture"/> from <c>Versions:GraphUrl</c>
/// and <c>Versions:GraphArchitecture</c> and keeps its own cache in PostgreSQL.
/// </summary>
internal sealed class UpdateGraphOptions
{
    /// <summary>The Controllers' section name under <c>Providers</c>.</summary>
    public const string Section = "UpdateGraph";

    /// <summary>
    /// The graph endpoint. Red Hat's policy engine serves <c>{path_prefix}/v1/graph</c> with
    /// <c>path_prefix = /api/upgrades_info</c> (openshift/cincinnati@49c914f8,
    /// policy-engine/src/main.rs and dist/openshift/cincinnati-deployment.yaml, PE_PATH_PREFIX).
    /// </summary>
    public Uri Url { get; set; } = new("https://api.openshift.com/api/upgrades_info/v1/graph");

    /// <summary>
    /// The graph's <c>arch</c> parameter. <c>multi</c> because the platform runs heterogeneous
    /// (multi-arch) payloads; the policy engine's own default would be <c>amd64</c>
    /// (cincinnati/src/plugins/internal/arch_filter.rs, DEFAULT_DEFAULT_ARCH).
    /// </summary>
    public string Architecture { get; set; } = "multi";

    /// <summary>How long a channel's graph is used before it is fetched again (the Controllers' cache).</summary>
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// After a failed refresh the last good graph is served for this long before the next attempt,
    /// so an outage costs one slow request per interval rather than one per resolve.
    /// </summary>
    public TimeSpan RetryAfterFailure { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per request; a timeout counts as a transient failure.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
