using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Every project exists with every API enabled, every permission granted and
/// <see cref="SimulationOptions.CpuQuota"/> vCPUs free, except projects matching
/// <see cref="SimulationOptions.FailingProjectPattern"/>.
/// </summary>
internal sealed class SimulatedGcpEnvironmentProvider(IOptions<ProviderOptions> options, SimulatedFaults faults) : IGcpEnvironmentProvider
{
    // What a failing project lacks: two checks fail, so the "every failed check" path is exercised.
    internal const string DisabledApi = "container.googleapis.com";
    internal const string MissingPermission = "compute.instances.create";

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
        return new GcpEnvironmentReport(
        [
            new(GcpEnvironmentChecks.ProjectReachable, true, $"simulated: project {request.ProjectId} is reachable"),
            failing
                ? new(GcpEnvironmentChecks.ApisEnabled, false, $"simulated: APIs not enabled in project {request.ProjectId}: {DisabledApi}")
                : new(GcpEnvironmentChecks.ApisEnabled, true, "simulated: required APIs are enabled"),
            request.RequiredVcpus <= quota
                ? new(GcpEnvironmentChecks.CpuQuota, true, $"simulated: CPU quota in {request.Region} allows {request.RequiredVcpus} of {quota} vCPUs")
                : new(GcpEnvironmentChecks.CpuQuota, false, $"simulated: CPU quota in {request.Region} has {quota} vCPUs free, {request.RequiredVcpus} needed"),
            failing
                ? new(GcpEnvironmentChecks.IamPermissions, false, $"simulated: service account lacks permissions in project {request.ProjectId}: {MissingPermission}")
                : new(GcpEnvironmentChecks.IamPermissions, true, "simulated: service account has the required permissions"),
        ], ProjectNumber(request.ProjectId));
    }
}
