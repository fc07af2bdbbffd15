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
public sealed record GcpEnvironmentRequest(string ProjectId, string Region, int RequiredVcpus);

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
