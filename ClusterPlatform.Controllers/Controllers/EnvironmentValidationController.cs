using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>Validates the cluster's GCP environment: project, APIs, regional CPU quota and IAM permissions. No preconditions.</summary>
internal sealed class EnvironmentValidationController(ControllerApiClient api, IGcpEnvironmentProvider gcp, ILogger<EnvironmentValidationController> logger)
    : ClusterController(api, logger)
{
    public override string ControllerName => ControllerNames.EnvironmentValidation;

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        var pools = await Api.GetNodePoolsAsync(ControllerName, cluster.Id, ct);
        // The quota must cover the pools at their largest.
        var vcpus = pools.Where(p => p.DeletionTimestamp is null)
            .Sum(p => (MachineTypes.Vcpus(p.Spec.MachineType) ?? 0) * (p.Spec.Replicas ?? p.Spec.Autoscaling?.Max ?? 0));
        var report = await gcp.ValidateAsync(new GcpEnvironmentRequest(cluster.Spec.Gcp.ProjectId, cluster.Spec.Gcp.Region, vcpus, cluster.Spec.Dns.BaseDomain, cluster.Spec.Gcp.Network, cluster.Spec.Gcp.Subnet ?? "", new GcpInfrastructureNames(cluster.Spec.Gcp.InfraId ?? "", cluster.Spec.Gcp.ProjectId), new ServiceAccountSigningKey("", "", "")), ct);
        return report.Passed
            ? new ReconcileResult(true, "EnvironmentValid", report.Message, Data: new { requiredVcpus = vcpus, projectNumber = report.ProjectNumber })
            : new ReconcileResult(false, "EnvironmentInvalid", report.Message, Degraded: true, Data: new { requiredVcpus = vcpus });
    }

    protected override Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct) =>
        Task.FromResult(new ReconcileResult(false, "Deleting", "Nothing to clean up.", Finalized: true));
}
