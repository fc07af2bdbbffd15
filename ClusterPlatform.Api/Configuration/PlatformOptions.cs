using System.ComponentModel.DataAnnotations;

namespace ClusterPlatform.Api.Configuration;

/// <summary>What the platform offers: supported regions and releases, and which controllers must report per kind.</summary>
public sealed class PlatformOptions
{
    public const string Section = "Platform";

    /// <summary>GCP regions a cluster may be created in, e.g. <c>us-central1</c>.</summary>
    [MinLength(1)]
    public List<string> SupportedRegions { get; set; } = [];

    /// <summary>OpenShift MAJOR.MINOR streams that may be installed, e.g. <c>4.17</c>.</summary>
    [MinLength(1)]
    public List<string> SupportedVersions { get; set; } = [];

    [Required]
    public RequiredControllersOptions RequiredControllers { get; set; } = new();
}

public sealed class RequiredControllersOptions
{
    [MinLength(1)]
    public List<string> Cluster { get; set; } = [];

    [MinLength(1)]
    public List<string> NodePool { get; set; } = [];
}
