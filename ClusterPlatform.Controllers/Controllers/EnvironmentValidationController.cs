using System.Text.Json;
using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Hosting;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// Makes the cluster's service-account signing key on its management cluster (once), then checks
/// the cluster's GCP project the way HyperShift's GCP guide prepares it: project, APIs, CPU quota,
/// permissions, the base domain's public zone, the network and subnet, and the workload identity
/// pool, provider (trusting this cluster's key) and service accounts. It reports the key's public
/// JWKS, which the Api serves at <c>/api/v1/clusters/{id}/jwks</c> for <c>hypershift create iam gcp</c>.
/// </summary>
internal sealed class EnvironmentValidationController(
    ControllerApiClient api, ClusterRequeue requeue, IGcpEnvironmentProvider gcp, IManagementClusterProvider hypershift, ILogger<EnvironmentValidationController> logger)
    : ReconcilerBase(api, requeue, logger)
{
    public override string ControllerName => ControllerNames.EnvironmentValidation;

    protected override IReadOnlyList<string> Prerequisites => [ControllerNames.Placement];

    protected override async Task<ReconcileResult> ReconcileAsync(Cluster cluster, CancellationToken ct)
    {
        if (DataOf(cluster, ControllerNames.Placement, "apiEndpoint") is not { } endpoint)
        {
            return ReconcileResult.PreconditionsNotMet("The placement reports no management cluster API endpoint.");
        }

        var gcpSpec = cluster.Spec.Gcp;
        var names = new GcpInfrastructureNames(gcpSpec.InfraId, gcpSpec.ProjectId);
        var key = await hypershift.EnsureSigningKeyAsync(new Uri(endpoint), cluster.Id, HostedClusterRef.For(cluster.Id, cluster.Name), names.IssuerUrl, ct);

        var pools = await Api.GetNodePoolsAsync(ControllerName, cluster.Id, ct);
        // The quota must cover the pools at their largest.
        var vcpus = pools.Where(p => p.DeletionTimestamp is null)
            .Sum(p => (MachineTypes.Vcpus(p.Spec.MachineType) ?? 0) * (p.Spec.Replicas ?? p.Spec.Autoscaling?.Max ?? 0));
        var report = await gcp.ValidateAsync(
            new GcpEnvironmentRequest(gcpSpec.ProjectId, gcpSpec.Region, vcpus, cluster.Spec.Dns.BaseDomain, gcpSpec.Network, gcpSpec.Subnet, names, key), ct);

        if (report.Transient)
        {
            // Google could not answer a check (an outage, throttling): that says nothing about the
            // project, so it is retried rather than reported as an invalid environment.
            throw new ProviderException($"Google could not answer every check: {report.Message}", transient: true);
        }

        // The key is reported whatever the outcome: a failed workload identity check is exactly when
        // the user needs the JWKS to run hypershift create iam gcp.
        var data = new
        {
            requiredVcpus = vcpus,
            projectNumber = report.ProjectNumber,
            signingKey = new SigningKeyData(key.IssuerUrl, key.KeyId, JsonSerializer.Deserialize<JsonWebKeySet>(key.Jwks, JsonSerializerOptions.Web)!),
        };
        var workloadIdentityFailed = report.Checks.Any(c => c.Name == GcpEnvironmentChecks.WorkloadIdentity && !c.Passed);
        return report.Passed
            ? new ReconcileResult(true, "EnvironmentValid", report.Message, Data: data)
            : new ReconcileResult(false, "EnvironmentInvalid",
                report.Message + (workloadIdentityFailed ? $" (jwks.json is served at GET /api/v1/clusters/{cluster.Id}/jwks)" : ""),
                Degraded: true, Data: data);
    }

    /// <summary>
    /// The key-making of a reading overtaken by the cluster's deletion may have re-created the
    /// namespace after the operator client deleted it; nobody else would remove it, so this tears the
    /// cluster's objects down as the operator client does (docs/controllers.md, "Running at N replicas").
    /// </summary>
    protected override async Task<ReconcileResult> CleanUpAfterGoneAsync(Cluster reading, CancellationToken ct) =>
        await OperatorClientController.TearDownAsync(hypershift, reading, RequeueAfter, ct)
        ?? new ReconcileResult(false, "Deleting", "The cluster's namespace is gone.", Finalized: true);

    protected override Task<ReconcileResult> FinalizeAsync(Cluster cluster, CancellationToken ct) =>
        // The signing key lives in the cluster's namespace, which the operator client deletes.
        Task.FromResult(new ReconcileResult(false, "Deleting", "Nothing to clean up: the signing key goes with the cluster's namespace.", Finalized: true));
}
