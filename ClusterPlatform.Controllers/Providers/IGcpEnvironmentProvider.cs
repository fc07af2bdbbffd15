namespace ClusterPlatform.Controllers.Providers;

/// <summary>Checks that a cluster's GCP project can host it (environment-validation-controller).</summary>
public interface IGcpEnvironmentProvider
{
    /// <summary>
    /// Runs every check of <see cref="GcpEnvironmentChecks.All"/> and returns each one's outcome, so
    /// the controller can name every failure in one message. Each check stands alone: when Google
    /// cannot answer one (an outage, a denied call), that check fails with Google's message and
    /// <see cref="GcpEnvironmentCheck.Transient"/> says whether asking again may help, while the
    /// others still run and report. When the project itself is not reachable, the report holds only
    /// that check: the others would fail for the same reason and add nothing.
    /// </summary>
    Task<GcpEnvironmentReport> ValidateAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken);
}

/// <param name="RequiredVcpus">Total vCPUs of the node pools at their largest (see <see cref="MachineTypes"/>).</param>
/// <param name="BaseDomain">Must have a public Cloud DNS managed zone in the platform's DNS project.</param>
/// <param name="Network">The cluster's VPC network in its project.</param>
/// <param name="Subnet">The cluster's node and Private Service Connect subnet, in <paramref name="Region"/>.</param>
/// <param name="Names">The workload identity pool, provider and six service accounts the cluster needs.</param>
/// <param name="SigningKey">The cluster's service-account signing key (public part), which the provider must trust.</param>
public sealed record GcpEnvironmentRequest(
    string ProjectId,
    string Region,
    int RequiredVcpus,
    string BaseDomain,
    string Network,
    string Subnet,
    GcpInfrastructureNames Names,
    ServiceAccountSigningKey SigningKey);

/// <summary>
/// The public half of a hosted cluster's service-account signing key, as a JWKS, and the issuer its
/// tokens carry. The private half exists only in a Secret on the management cluster.
/// </summary>
/// <param name="KeyId">The JWK's <c>kid</c>: base64url SHA-256 of the DER public key, as HyperShift's guide computes it.</param>
/// <param name="Jwks">The JWKS document (<c>{"keys":[…]}</c>) that <c>hypershift create iam gcp --oidc-jwks-file</c> takes.</param>
public sealed record ServiceAccountSigningKey(string IssuerUrl, string KeyId, string Jwks);

/// <param name="Name">One of <see cref="GcpEnvironmentChecks.All"/>.</param>
/// <param name="Transient">Failed because Google could not answer (throttling, timeout, server error), not because of what it answered.</param>
public sealed record GcpEnvironmentCheck(string Name, bool Passed, string Message, bool Transient = false);

/// <param name="ProjectNumber">The project's number (as Resource Manager names it, projects/&lt;number&gt;), when the project was found.</param>
public sealed record GcpEnvironmentReport(IReadOnlyList<GcpEnvironmentCheck> Checks, string? ProjectNumber = null)
{
    public bool Passed => Checks.All(check => check.Passed);

    /// <summary>Some check failed only because Google could not answer it, so validating again later may pass.</summary>
    public bool Transient => Checks.Any(check => check is { Passed: false, Transient: true });

    /// <summary>The failed checks' messages when any failed, otherwise every check's message.</summary>
    public string Message => string.Join("; ", (Passed ? Checks : Checks.Where(check => !check.Passed)).Select(check => check.Message));
}

/// <summary>
/// The checks' names, what they require and the commands that fix them. They follow HyperShift's
/// GCP guide (openshift/hypershift at 3ee9615567acffaf3e3ee25c2ca2942d650565cf,
/// docs/content/how-to/gcp/): the customer prepares the hosted cluster's project with
/// <c>hypershift create infra gcp</c> and <c>hypershift create iam gcp</c>, and the platform checks
/// the result before it creates the HostedCluster.
/// </summary>
public static class GcpEnvironmentChecks
{
    /// <summary>Resource Manager v3 projects.get: the project exists, is ACTIVE, and the platform may see it.</summary>
    public const string ProjectReachable = "ProjectReachable";

    /// <summary>Service Usage v1 services.batchGet: every API of <see cref="RequiredApis"/> is ENABLED.</summary>
    public const string ApisEnabled = "ApisEnabled";

    /// <summary>Compute v1 regions.get: the region's CPUS quota has room for the node pools.</summary>
    public const string CpuQuota = "CpuQuota";

    /// <summary>Resource Manager v3 projects.testIamPermissions: the platform holds <see cref="RequiredPermissions"/>.</summary>
    public const string IamPermissions = "IamPermissions";

    /// <summary>Cloud DNS v1 managedZones.list: the base domain has a public zone in the platform's DNS project.</summary>
    public const string BaseDomainZone = "BaseDomainZone";

    /// <summary>Compute v1 networks.get and subnetworks.get: the cluster's network, and its subnet in that network and region.</summary>
    public const string NetworkAndSubnet = "NetworkAndSubnet";

    /// <summary>IAM v1: the workload identity pool and provider trust this cluster's signing key, and the six service accounts exist.</summary>
    public const string WorkloadIdentity = "WorkloadIdentity";

    /// <summary>Every check, in the order reports list them.</summary>
    public static readonly IReadOnlyList<string> All =
        [ProjectReachable, ApisEnabled, CpuQuota, IamPermissions, BaseDomainZone, NetworkAndSubnet, WorkloadIdentity];

    /// <summary>
    /// Exactly the APIs HyperShift's guide has the customer enable in the hosted cluster's project
    /// (docs/content/how-to/gcp/create-gcp-infra.md, "Prerequisites"). container.googleapis.com is
    /// not among them: GKE runs the management cluster, in the platform's project.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredApis =
    [
        "compute.googleapis.com",
        "dns.googleapis.com",
        "iam.googleapis.com",
        "iamcredentials.googleapis.com",
        "cloudresourcemanager.googleapis.com",
    ];

    /// <summary>
    /// What the platform's own service account needs in the customer's project: only to read what
    /// validation reads. The customer creates the network, the workload identity pool and the
    /// service accounts (create-gcp-infra.md, create-gcp-iam.md), and at run time every hosted
    /// cluster component acts as one of those six accounts through workload identity federation
    /// (cmd/infra/gcp/iam-bindings.json binds each to the component's Kubernetes service account),
    /// never as the platform: so the platform creates nothing there and impersonates no one
    /// (no compute.instances.create, no iam.serviceAccounts.actAs). One permission per call made;
    /// the zone lookup (dns.managedZones.list) is in the platform's own DNS project, not here, and a
    /// denial there fails <see cref="BaseDomainZone"/> with Google's message.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredPermissions =
    [
        "resourcemanager.projects.get",           // projects.get
        "serviceusage.services.get",              // services.batchGet
        "compute.regions.get",                    // regions.get (quotas)
        "compute.networks.get",                   // networks.get
        "compute.subnetworks.get",                // subnetworks.get
        "iam.workloadIdentityPools.get",          // workloadIdentityPools.get
        "iam.workloadIdentityPoolProviders.get",  // workloadIdentityPools.providers.get
        "iam.serviceAccounts.get",                // serviceAccounts.get
    ];

    /// <summary>
    /// HyperShift's command that creates the network and subnet with the names the cluster uses by
    /// default (create-gcp-infra.md, "Create Infrastructure"; names from cmd/infra/gcp/networking.go).
    /// </summary>
    public static string CreateInfraCommand(GcpEnvironmentRequest request) =>
        $"hypershift create infra gcp --infra-id={request.Names.InfraId} --project-id={request.ProjectId} --region={request.Region}";

    /// <summary>
    /// HyperShift's command that creates, or repairs, the pool, the provider trusting the cluster's
    /// JWKS and issuer, and the six service accounts (create-gcp-iam.md, "Create IAM Resources").
    /// Run again on existing resources it undeletes, re-enables and updates them
    /// (cmd/infra/gcp/iam.go, ensurePoolUsable and ensureProviderUsable).
    /// </summary>
    public static string CreateIamCommand(GcpEnvironmentRequest request) =>
        $"hypershift create iam gcp --infra-id={request.Names.InfraId} --project-id={request.ProjectId} --oidc-jwks-file=jwks.json --oidc-issuer-url={request.SigningKey.IssuerUrl}";

    /// <summary>
    /// The command from HyperShift's guide that creates a base domain's zone
    /// (docs/content/how-to/gcp/setup-management-cluster.md, "Create a Cloud DNS Zone").
    /// </summary>
    public static string CreateZoneCommand(string dnsProjectId, string baseDomain) =>
        $"gcloud dns managed-zones create <zone-name> --project={dnsProjectId} --dns-name={baseDomain.TrimEnd('.')}. --visibility=public";
}
