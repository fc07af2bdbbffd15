using ClusterPlatform.Contracts;
using ClusterPlatform.Controllers.Api;
using ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Controllers.Controllers;

/// <summary>
/// The operator client's break-glass step (docs/controllers.md "Operator client"): reads the
/// cluster's pending credential work from the Api, carries each request and revocation one step on
/// the management cluster, and reports what is done. Only the reports and ids are logged, never a
/// CSR or a certificate.
/// </summary>
internal sealed class CredentialRelay(ControllerApiClient api, IManagementClusterProvider hypershift, ILogger logger)
{
    /// <summary>The Api stores at most this much of a failure message (docs/api.md "Credentials").</summary>
    private const int MaxMessage = 1024;

    /// <summary>
    /// One step for every pending item. True while any item is still pending (or could not be
    /// carried this time), so the caller looks again. <paramref name="apiUrl"/> is the API server's
    /// URL the kubeconfig names; without one nothing is issued yet.
    /// </summary>
    public async Task<bool> StepAsync(string controller, Guid clusterId, Uri managementCluster, HostedClusterRef cluster, string? apiUrl, CancellationToken ct)
    {
        if (await api.GetCredentialWorkAsync(controller, clusterId, ct) is not { } work || (work.Signing.Count == 0 && work.Revocations.Count == 0))
        {
            return false;
        }

        var waiting = false;
        // Revocations first: a request waiting beside a revocation is signed by the new signer.
        foreach (var revocation in work.Revocations)
        {
            waiting |= !await StepAsync(clusterId, $"revocation {revocation.Id}", async () =>
                await hypershift.RevokeCredentialsAsync(managementCluster, cluster, revocation.Id, ct) switch
                {
                    RevocationProgress.Completed => await Report(revocation.Id, "revocation", api.ReportRevocationAsync(controller, clusterId, revocation.Id,
                        new RevocationReport(RevocationStates.Completed, null), ct)),
                    RevocationProgress.Failed failed => await Report(revocation.Id, "revocation", api.ReportRevocationAsync(controller, clusterId, revocation.Id,
                        new RevocationReport(RevocationStates.Failed, Shorten(failed.Message)), ct)),
                    RevocationProgress.Pending pending => Wait(revocation.Id, "revocation", pending.Message),
                    var other => throw new InvalidOperationException($"unknown revocation progress {other}"),
                });
        }

        foreach (var signing in work.Signing)
        {
            if (apiUrl is null)
            {
                logger.LogInformation("Credential {CredentialId} of cluster {ClusterId} waits for HyperShift to publish the API server's endpoint", signing.Id, clusterId);
                waiting = true;
                continue;
            }

            waiting |= !await StepAsync(clusterId, $"credential {signing.Id}", async () =>
                await hypershift.IssueCredentialAsync(managementCluster, cluster, signing, ct) switch
                {
                    IssuanceProgress.Issued issued => await Report(signing.Id, "credential", api.ReportIssuanceAsync(controller, clusterId, signing.Id,
                        new CredentialIssuanceReport(CredentialStates.Issued, issued.CertificatePem, issued.CaBundlePem, apiUrl, null), ct)),
                    IssuanceProgress.Failed failed => await Report(signing.Id, "credential", api.ReportIssuanceAsync(controller, clusterId, signing.Id,
                        new CredentialIssuanceReport(CredentialStates.Failed, null, null, null, Shorten(failed.Message)), ct)),
                    IssuanceProgress.Pending pending => Wait(signing.Id, "credential", pending.Message),
                    var other => throw new InvalidOperationException($"unknown issuance progress {other}"),
                });
        }

        return waiting;
    }

    /// <summary>
    /// One item's step; true when it is done. A provider failure is contained: the item stays pending
    /// and the cluster's own status is reported as usual, since a credential's trouble says nothing
    /// about the control plane.
    /// </summary>
    private async Task<bool> StepAsync(Guid clusterId, string what, Func<Task<bool>> step)
    {
        try
        {
            return await step();
        }
        catch (ProviderException failure)
        {
            logger.LogWarning("Break-glass {What} of cluster {ClusterId} could not be carried this time: {Failure}", what, clusterId, failure.Message);
            return false;
        }
    }

    private async Task<bool> Report(Guid id, string what, Task<ReportOutcome> report)
    {
        var outcome = await report;
        logger.LogInformation("Reported break-glass {What} {Id}: {Outcome}", what, id, outcome);
        return true;
    }

    private bool Wait(Guid id, string what, string message)
    {
        logger.LogDebug("Break-glass {What} {Id} is pending: {Message}", what, id, message);
        return false;
    }

    private static string Shorten(string message) => message.Length <= MaxMessage ? message : message[..(MaxMessage - 1)] + "…";
}
