using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Every project exists prepared as HyperShift's guide has it (APIs enabled, network and subnet,
/// workload identity trusting the cluster's key), every base domain has a public zone, every
/// permission is granted and <see cref="SimulationOptions.CpuQuota"/> vCPUs are free, except in
/// projects matching <see cref="SimulationOptions.FailingProjectPattern"/>. The checks and their
/// names are the real provider's (<see cref="GcpEnvironmentChecks.All"/>), and the outcome depends
/// only on the request and the options.
/// </summary>
internal sealed class SimulatedGcpEnvironmentProvider(IOptions<ProviderOptions> options, SimulatedFaults faults) : IGcpEnvironmentProvider
{
    // What a failing project lacks: two checks fail, so the "every failed check" path is exercised.
    internal const string DisabledApi = "iamcredentials.googleapis.com";
    internal const string MissingPermission = "iam.workloadIdentityPoolProviders.get";

    /// <summary>A stable 12-digit number per project id, as a real project has one.</summary>
    internal static string ProjectNumber(string projectId) =>
        (BitConverter.ToUInt64(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(projectId))) % 900_000_000_000 + 100_000_000_000)
            .ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly Regex? failingProjects = SimulatedFaults.Pattern(options.Value.Simulation.FailingProjectPattern);

    public async Task<GcpEnvironmentReport> ValidateAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        // Validation has its own failure switch (the project pattern), so only latency applies here.
        await faults.DelayAsync(cancellationToken);
        var failing = failingProjects?.IsMatch(request.ProjectId) == true;
        var quota = options.Value.Simulation.CpuQuota;
        var names = request.Names;
        return new GcpEnvironmentReport(
        [
            Simulated(GcpEnvironmentChecks.ProjectReachable, true, $"project {request.ProjectId} is reachable"),
            failing
                ? Simulated(GcpEnvironmentChecks.ApisEnabled, false, $"APIs not enabled in project {request.ProjectId}: {DisabledApi}")
                : Simulated(GcpEnvironmentChecks.ApisEnabled, true, "required APIs are enabled"),
            Simulated(GcpEnvironmentChecks.CpuQuota, request.RequiredVcpus <= quota,
                $"CPU quota in {request.Region} has {quota} vCPUs free, {request.RequiredVcpus} needed"),
            failing
                ? Simulated(GcpEnvironmentChecks.IamPermissions, false, $"service account lacks permissions in project {request.ProjectId}: {MissingPermission}")
                : Simulated(GcpEnvironmentChecks.IamPermissions, true, "service account has the required permissions"),
            Simulated(GcpEnvironmentChecks.BaseDomainZone, true, $"base domain {request.BaseDomain} has a public managed zone"),
            Simulated(GcpEnvironmentChecks.NetworkAndSubnet, true, $"subnet {request.Subnet} in {request.Region} is in network {request.Network}"),
            Simulated(GcpEnvironmentChecks.WorkloadIdentity, true,
                $"workload identity pool {names.WorkloadIdentityPoolId} and provider {names.WorkloadIdentityProviderId} trust the cluster's signing key, and its {names.ServiceAccounts.Count} service accounts exist"),
        ], ProjectNumber(request.ProjectId));
    }

    private static GcpEnvironmentCheck Simulated(string name, bool passed, string message) => new(name, passed, $"simulated: {message}");
}
