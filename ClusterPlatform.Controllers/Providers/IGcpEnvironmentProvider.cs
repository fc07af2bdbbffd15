namespace ClusterPlatform.Controllers.Providers;

/// <summary>Checks that a cluster's GCP project can host it (environment-validation-controller).</summary>
public interface IGcpEnvironmentProvider
{
    /// <summary>
    /// Runs every check and returns each one's outcome, so the controller can name every failure in
    /// one message. A failed check is a result; only "could not ask GCP" throws a <see cref="ProviderException"/>.
    /// When the project itself is not reachable, the report holds only that check: the others
    /// would fail for the same reason and add nothing.
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

/// <param name="Name">One of <see cref="GcpEnvironmentChecks"/>.</param>
public sealed record GcpEnvironmentCheck(string Name, bool Passed, string Message);

/// <param name="ProjectNumber">The project's number (as Resource Manager names it, projects/&lt;number&gt;), when the project was found.</param>
public sealed record GcpEnvironmentReport(IReadOnlyList<GcpEnvironmentCheck> Checks, string? ProjectNumber = null)
{
    public bool Passed => Checks.All(check => check.Passed);

    /// <summary>The failed checks' messages when any failed, otherwise every check's message.</summary>
    public string Message => string.Join("; ", (Passed ? Checks : Checks.Where(check => !check.Passed)).Select(check => check.Message));
}

/// <summary>The checks' names and what they require.</summary>
public static class GcpEnvironmentChecks
{
    public const string ProjectReachable = "ProjectReachable";
    public const string ApisEnabled = "ApisEnabled";
    public const string CpuQuota = "CpuQuota";
    public const string IamPermissions = "IamPermissions";
    public const string WorkloadIdentity = "WorkloadIdentity";

    public static readonly IReadOnlyList<string> RequiredApis =
    [
        "compute.googleapis.com",
        "container.googleapis.com",
        "dns.googleapis.com",
        "iam.googleapis.com",
        "cloudresourcemanager.googleapis.com",
    ];

    /// <summary>
    /// What the platform's service account does in a customer project for HyperShift on GCP: run
    /// and remove worker VMs on the project's network, and act as the node service account.
    /// </summary>
    public static readonly IReadOnlyList<string> RequiredPermissions =
    [
        "compute.instances.create",
        "compute.instances.delete",
        "compute.instanceTemplates.create",
        "compute.instanceGroupManagers.create",
        "compute.networks.get",
        "compute.subnetworks.use",
        "compute.firewalls.create",
        "iam.serviceAccounts.actAs",
        "resourcemanager.projects.get",
    ];
}
