using System.Collections.Concurrent;
using ClusterPlatform.Client;
using ClusterPlatform.Client.Models;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Kiota.Abstractions;
using ClustersPhase = ClusterPlatform.Client.Api.V1.Clusters.GetPhaseQueryParameterType;
using VersionsChannelGroup = ClusterPlatform.Client.Api.V1.Versions.GetChannelGroupQueryParameterType;

namespace ClusterPlatform.WebConsole.Api;

/// <summary>
/// The console's one façade over the Api (docs/api.md), through the generated <see cref="PlatformApiClient"/>.
/// Every call carries the signed-in user's own token (<see cref="SignedInUserTokenProvider"/>, read on each
/// request), so the Api decides what this user may see and do. A refusal is an <see cref="ApiProblemException"/>;
/// an outage is also recorded on <see cref="ApiConnection"/> for the banner.
/// </summary>
public sealed class ConsoleApi
{
    private readonly PlatformApiClient client;
    private readonly ApiConnection connection;

    // The last body and ETag of each cluster read, by id. It lives as long as this client: a typed client
    // is transient, so that is one component of one signed-in user's circuit, never shared.
    private readonly ConcurrentDictionary<Guid, (string ETag, Cluster Body)> validated = new();

    /// <param name="http">The factory's client for the Api: service discovery and resilience from ServiceDefaults,
    /// Kiota's headers inspection from <see cref="ConsoleApiRegistration"/>; its base address is the Api's.</param>
    public ConsoleApi(HttpClient http, AuthenticationStateProvider authentication, ApiConnection connection)
    {
        ArgumentNullException.ThrowIfNull(http);
        var api = http.BaseAddress ?? throw new InvalidOperationException("The Api's HttpClient has no base address.");
        client = PlatformApiClientFactory.Create(http, api, new SignedInUserTokenProvider(authentication, api));
        this.connection = connection;
    }

    public Task<ResourceListOfCluster> ListClustersAsync(ClustersPhase? phase, string? labelSelector, string? continueToken, int limit, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters.GetAsync(r =>
        {
            r.QueryParameters.Limit = limit;
            r.QueryParameters.Phase = phase;
            r.QueryParameters.LabelSelector = string.IsNullOrEmpty(labelSelector) ? null : labelSelector;
            r.QueryParameters.Continue = continueToken;
        }, ct), ct);

    /// <summary>
    /// The cluster revalidated against the copy this client last read (<see cref="ConditionalClusterRead"/>):
    /// the cluster's ETag covers its status (docs/api.md, ETags), so the detail page's poll costs a 304
    /// while the cluster does not move. A 200 replaces the copy.
    /// </summary>
    public Task<Cluster> GetClusterAsync(Guid id, CancellationToken ct) => CallAsync(async () =>
    {
        var known = validated.TryGetValue(id, out var copy);
        var (read, etag) = await ConditionalClusterRead.ReadAsync(client, id, known ? copy.Body : null, known ? copy.ETag : null, ct);
        if (etag is not null && read is not null)
        {
            validated[id] = (etag, read);
        }
        else
        {
            validated.TryRemove(id, out _);
        }

        return read;
    }, ct);

    /// <summary>
    /// Creates with a fresh <c>Idempotency-Key</c>, so the resilience handler's retry of a create whose
    /// answer was lost gets the first answer instead of a name conflict.
    /// </summary>
    public Task<Cluster> CreateClusterAsync(ClusterCreateRequest request, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters.PostAsync(request, Idempotent, ct), ct);

    /// <summary>An upgrade: a merge patch of <c>spec.release.version</c> (docs/api.md, Upgrades).</summary>
    public Task<Cluster> UpgradeClusterAsync(Guid id, string version, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[id].PatchAsync(
            new ClusterUpdateRequestPatch { Spec = new ClusterSpecPatch { Release = new ReleaseSpecPatch { Version = version } } }, cancellationToken: ct), ct);

    public Task DeleteClusterAsync(Guid id, CancellationToken ct) => CallAsync(() => client.Api.V1.Clusters[id].DeleteAsync(cancellationToken: ct), ct);

    public Task<StatusReportList> GetStatusesAsync(Guid id, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[id].Statuses.GetAsync(cancellationToken: ct), ct);

    public Task<ClusterUpgradeList> GetUpgradesAsync(Guid id, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[id].Upgrades.GetAsync(cancellationToken: ct), ct);

    public Task<AuditList> GetAuditAsync(Guid id, string? continueToken, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[id].Audit.GetAsync(r => { r.QueryParameters.Limit = 500; r.QueryParameters.Continue = continueToken; }, ct), ct);

    public Task<ResourceListOfNodePool> ListNodePoolsAsync(Guid clusterId, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[clusterId].Nodepools.GetAsync(r => r.QueryParameters.Limit = 500, ct), ct);

    public Task<NodePool> CreateNodePoolAsync(NodePoolCreateRequest request, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Nodepools.PostAsync(request, Idempotent, ct), ct);

    /// <summary>Scales in place: fixed replicas, or autoscaling between two bounds, by cpctl's read-modify-PUT rule (<see cref="NodePoolResize"/>).</summary>
    public Task<NodePool> ScaleNodePoolAsync(Guid id, int? replicas, AutoscalingSpec? autoscaling, CancellationToken ct) =>
        CallAsync<NodePool>(async () => await NodePoolResize.ReplaceSizeAsync(client, id, replicas, autoscaling, retrying: null, ct), ct);

    public Task<CredentialList> ListCredentialsAsync(Guid clusterId, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[clusterId].Credentials.GetAsync(cancellationToken: ct), ct);

    /// <summary>Requests a break-glass credential for a CSR made in the browser (docs/api.md, Credentials); the key never comes here.</summary>
    public Task<Credential> RequestCredentialAsync(Guid clusterId, CredentialRequest request, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[clusterId].Credentials.PostAsync(request, cancellationToken: ct), ct);

    /// <summary>One credential; an Issued one carries its certificate and kubeconfig for its requester.</summary>
    public Task<Credential> GetCredentialAsync(Guid clusterId, Guid credentialId, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[clusterId].Credentials[credentialId].GetAsync(cancellationToken: ct), ct);

    /// <summary>Revokes every break-glass credential of the cluster (HyperShift revokes by signer).</summary>
    public Task<CredentialRevocation> RevokeCredentialsAsync(Guid clusterId, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[clusterId].CredentialsRevoke.PostAsync(cancellationToken: ct), ct);

    /// <summary>One revocation, to watch it move from Pending to Completed or Failed.</summary>
    public Task<CredentialRevocation> GetCredentialRevocationAsync(Guid clusterId, Guid revocationId, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Clusters[clusterId].Credentials.Revocations[revocationId].GetAsync(cancellationToken: ct), ct);

    public Task<ResourceListOfOpenShiftVersion> ListVersionsAsync(VersionsChannelGroup channelGroup, CancellationToken ct) =>
        CallAsync(() => client.Api.V1.Versions.GetAsync(r => r.QueryParameters.ChannelGroup = channelGroup, ct), ct);

    public Task<ManagementClusterList> ListManagementClustersAsync(CancellationToken ct) =>
        CallAsync(() => client.Api.V1.ManagementClusters.GetAsync(cancellationToken: ct), ct);

    private static void Idempotent<T>(RequestConfiguration<T> request) where T : class, new() =>
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));

    /// <summary>
    /// One call of the generated client, as the pages meet it: the Api's answer, or its refusal thrown as
    /// an <see cref="ApiProblemException"/>; an outage (no answer, or a 502/503/504) is also recorded for
    /// the banner, any other answer clears it. Every answer the document declares has a body except a
    /// delete's, whose result nobody reads.
    /// </summary>
    private async Task<T> CallAsync<T>(Func<Task<T?>> call, CancellationToken ct)
        where T : class
    {
        T? result;
        try
        {
            result = await call();
        }
        catch (ApiException e)
        {
            var problem = ApiProblemException.From(e);
            if (problem.IsOutage)
            {
                connection.Failed(problem);
            }
            else
            {
                connection.Answered();
            }

            throw problem;
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var outage = ApiProblemException.Unreachable(e.Message);
            connection.Failed(outage);
            throw outage;
        }

        connection.Answered();
        return result!;
    }
}
