using System.ComponentModel.DataAnnotations;

namespace ClusterPlatform.Api.Configuration;

/// <summary>What the platform offers: supported regions and releases, and which controllers must report per kind.</summary>
public sealed class PlatformOptions
{
    public const string Section = "Platform";

    /// <summary>GCP regions a cluster may be created in, e.g. <c>us-central1</c>.</summary>
    [MinLength(1)]
    public List<string> SupportedRegions { get; set; } = [];

    /// <summary>
    /// OpenShift MAJOR.MINOR streams that may be installed, e.g. <c>4.22</c>. The default in appsettings.json
    /// is 4.22 and 4.23 (that file holds no comments: the AppHost reads it as strict JSON): HyperShift's GCP
    /// guide (openshift/hypershift at 3ee9615, docs/content/how-to/gcp/index.md) offers GCP HostedClusters
    /// as a TechPreview in OCP 4.22, and create-gcp-hosted-cluster.md covers 4.22.x and 4.23.x. Earlier
    /// streams cannot host a cluster on GCP.
    /// </summary>
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
