namespace ClusterPlatform.Controllers.Providers;

/// <summary>Which implementations talk to the outside world, and how (section <c>Providers</c>).</summary>
public sealed class ProviderOptions
{
    public const string Section = "Providers";

    /// <summary>Simulated is the default so a local run never touches a real project by accident.</summary>
    public ProviderMode Mode { get; set; } = ProviderMode.Simulated;

    public SimulationOptions Simulation { get; set; } = new();

    public GcpOptions Gcp { get; set; } = new();

    public ManagementClusterOptions ManagementClusters { get; set; } = new();
}

public enum ProviderMode
{
    Simulated,
    Real,
}

/// <summary>
/// Knobs of the simulated providers. Everything is deterministic: the same options and the same
/// sequence of calls give the same results, so tests and benchmarks can rely on them.
/// </summary>
public sealed class SimulationOptions
{
    /// <summary>Added to every simulated call; zero keeps tests and the benchmark fast.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Regex over the project id. A matching project is reachable but fails two checks (a required
    /// API is disabled and a permission is missing), so "every failed check" can be seen.
    /// </summary>
    public string? FailingProjectPattern { get; set; }

    /// <summary>The regional CPU quota every simulated project has, with nothing used.</summary>
    public int CpuQuota { get; set; } = 1000;

    /// <summary>
    /// Regex over the cluster name: DNS and Kubernetes calls for a matching cluster fail transiently
    /// <see cref="TransientFailureCount"/> times per operation before they succeed, like an outage
    /// that redelivery rides out.
    /// </summary>
    public string? TransientFailurePattern { get; set; }

    public int TransientFailureCount { get; set; } = 1;

    /// <summary>
    /// Regex over the cluster name: every HostedCluster apply for a matching cluster fails for good,
    /// as a management cluster refusing the object does, so the permanent-failure outcome can be seen.
    /// </summary>
    public string? PermanentFailurePattern { get; set; }

    /// <summary>
    /// How many deletes of a HostedCluster still find it there before it is gone, as HyperShift's
    /// finalizers hold it while they tear down cloud resources. Zero deletes at once.
    /// </summary>
    public int DeletionReconciles { get; set; }

    /// <summary>
    /// How long a simulated upgrade takes: a HostedCluster given a new release image keeps a
    /// <c>Partial</c> history entry (and a NodePool its old <c>status.version</c>) this long before it is
    /// <c>Completed</c>. The default is about what HyperShift takes to roll a hosted control plane to a
    /// new patch release; tests set it short. The first install completes at once.
    /// </summary>
    public TimeSpan UpgradeDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Fraction (0..1) of DNS and Kubernetes calls that fail transiently, chosen by a stable hash of
    /// the operation, the cluster and the attempt number rather than by a random generator.
    /// </summary>
    public double TransientFailureRate { get; set; }
}

/// <summary>Google Cloud endpoints; overridable so tests can point them at a local server.</summary>
public sealed class GcpOptions
{
    public Uri ResourceManagerUrl { get; set; } = new("https://cloudresourcemanager.googleapis.com/");
    public Uri ServiceUsageUrl { get; set; } = new("https://serviceusage.googleapis.com/");
    public Uri ComputeUrl { get; set; } = new("https://compute.googleapis.com/");
    public Uri DnsUrl { get; set; } = new("https://dns.googleapis.com/");

    /// <summary>IAM v1: workload identity pools and providers, service accounts.</summary>
    public Uri IamUrl { get; set; } = new("https://iam.googleapis.com/");

    /// <summary>The platform's project that owns the Cloud DNS managed zones of the base domains.</summary>
    public string DnsProjectId { get; set; } = "";

    /// <summary>TTL of the records the platform writes; short, because ingress addresses can move.</summary>
    public int DnsTtlSeconds { get; set; } = 300;
}

/// <summary>How the real provider reaches management clusters' Kubernetes APIs.</summary>
public sealed class ManagementClusterOptions
{
    /// <summary>
    /// A static bearer token for every management cluster. When empty, a Google access token from
    /// application-default credentials is sent, which is how GKE accepts an IAM identity.
    /// </summary>
    public string? BearerToken { get; set; }

    /// <summary>PEM file of the CA(s) that signed the management clusters' API certificates.</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Secret (in the hosted cluster's namespace) holding the pull secret HyperShift requires.</summary>
    public string PullSecretName { get; set; } = "pull-secret";

    /// <summary>
    /// A file with the pull secret's <c>.dockerconfigjson</c> (on GKE, a mounted Secret). It is copied
    /// into each hosted cluster's namespace as <see cref="PullSecretName"/>. Required by the real provider.
    /// </summary>
    public string? PullSecretPath { get; set; }

    /// <summary>
    /// The cluster-api-provider-gcp (CAPG) image of each release, by version (MAJOR.MINOR.PATCH),
    /// for the releases whose own CAPG image crashes (the GCP guide's GCP-841 warning: 4.22.x and
    /// 4.23.x). Find it with <c>oc adm release info &lt;release image&gt; --image-for=cluster-api-provider-gcp</c>.
    /// </summary>
    public Dictionary<string, string> CapiProviderGcpImages { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Size of each hosted cluster's service-account signing key; HyperShift's GCP guide makes a
    /// 4096-bit RSA key (docs/content/how-to/gcp/create-gcp-iam.md).
    /// </summary>
    public int SigningKeyBits { get; set; } = 4096;
}
