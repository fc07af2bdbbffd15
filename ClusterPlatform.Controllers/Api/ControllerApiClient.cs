using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Api;

/// <summary>What became of a status report.</summary>
public enum ReportOutcome
{
    Accepted,

    /// <summary>
    /// 409 stale-report: a newer report of this controller is already stored; nothing to do. The Api
    /// checks the version first, so a report that carries one meets a conflict instead.
    /// </summary>
    Stale,

    /// <summary>404: the resource is gone (finalized or force-deleted) meanwhile.</summary>
    Gone,

    /// <summary>
    /// 409 report-conflict: the report's <see cref="StatusReportRequest.Version"/> is no longer the
    /// stored entry's (another replica reported since the read); nothing was stored. Read again and
    /// reconcile again.
    /// </summary>
    Conflict,

    /// <summary>Not sent: the controller's entry as read already says all of it (<c>UnchangedReport</c>).</summary>
    Unchanged,
}

/// <summary>
/// The Api as a controller sees it: read clusters and node pools, report status. Found through
/// service discovery (<c>http://api</c>) and resilient through the shared HttpClient defaults; each
/// request carries the calling controller's token.
/// </summary>
public sealed class ControllerApiClient(IHttpClientFactory clients, IControllerTokens tokens)
{
    public const string HttpClientName = "api";

    private static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public Task<Cluster?> GetClusterAsync(string controller, Guid id, CancellationToken ct) =>
        GetAsync<Cluster>(controller, $"/api/v1/clusters/{id}", ct);

    /// <summary>Every node pool of a cluster, deleting ones included, following the list's pages.</summary>
    public async Task<IReadOnlyList<NodePool>> GetNodePoolsAsync(string controller, Guid clusterId, CancellationToken ct)
    {
        var pools = new List<NodePool>();
        string? next = null;
        do
        {
            var page = await GetAsync<ResourceList<NodePool>>(controller,
                $"/api/v1/clusters/{clusterId}/nodepools?limit=500" + (next is null ? "" : $"&continue={Uri.EscapeDataString(next)}"), ct);
            if (page is null)
            {
                return pools; // the cluster is gone
            }

            pools.AddRange(page.Items);
            next = page.Continue;
        }
        while (next is not null);

        return pools;
    }

    public Task<ReportOutcome> ReportClusterStatusAsync(Guid id, StatusReportRequest report, CancellationToken ct) =>
        ReportAsync($"/api/v1/clusters/{id}/status", report, ct);

    public Task<ReportOutcome> ReportNodePoolStatusAsync(Guid id, StatusReportRequest report, CancellationToken ct) =>
        ReportAsync($"/api/v1/nodepools/{id}/status", report, ct);

    /// <summary>The break-glass work waiting on a cluster (controller-only), or null when the cluster is gone.</summary>
    public Task<CredentialWork?> GetCredentialWorkAsync(string controller, Guid clusterId, CancellationToken ct) =>
        GetAsync<CredentialWork>(controller, $"/api/v1/clusters/{clusterId}/credentials/work", ct);

    /// <summary>
    /// Reports a request issued or failed. A repeat of the stored report is a 200 no-op; a different
    /// report on a credential no longer pending (409) is <see cref="ReportOutcome.Stale"/>: another
    /// replica's report won, and there is nothing left to do.
    /// </summary>
    public Task<ReportOutcome> ReportIssuanceAsync(string controller, Guid clusterId, Guid credentialId, CredentialIssuanceReport report, CancellationToken ct) =>
        PutAsync(controller, $"/api/v1/clusters/{clusterId}/credentials/{credentialId}/issuance", report, ct);

    /// <summary>Reports a revocation completed or failed; outcomes as <see cref="ReportIssuanceAsync"/>.</summary>
    public Task<ReportOutcome> ReportRevocationAsync(string controller, Guid clusterId, Guid revocationId, RevocationReport report, CancellationToken ct) =>
        PutAsync(controller, $"/api/v1/clusters/{clusterId}/credentials/revocations/{revocationId}", report, ct);

    /// <summary>The cluster's management cluster (sticky), or null when its region has no room.</summary>
    public async Task<ManagementCluster?> PlaceAsync(string controller, Guid clusterId, CancellationToken ct)
    {
        using var request = await RequestAsync(HttpMethod.Post, $"/api/v1/management-clusters/placements/{clusterId}", controller, ct);
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.Conflict && await ProblemCodeAsync(response, ct) == "no-capacity")
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<ManagementCluster>(Json, ct);
    }

    public async Task ReleaseAsync(string controller, Guid clusterId, CancellationToken ct)
    {
        using var request = await RequestAsync(HttpMethod.Delete, $"/api/v1/management-clusters/placements/{clusterId}", controller, ct);
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        await EnsureSuccessAsync(response, ct);
    }

    private async Task<T?> GetAsync<T>(string controller, string path, CancellationToken ct) where T : class
    {
        using var request = await RequestAsync(HttpMethod.Get, path, controller, ct);
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(Json, ct);
    }

    private async Task<ReportOutcome> ReportAsync(string path, StatusReportRequest report, CancellationToken ct)
    {
        using var request = await RequestAsync(HttpMethod.Put, path, report.Controller, ct);
        request.Content = JsonContent.Create(report, options: Json);
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                return ReportOutcome.Accepted;
            case HttpStatusCode.NotFound:
                return ReportOutcome.Gone;
            case HttpStatusCode.Conflict when await ProblemCodeAsync(response, ct) is { } code && ConflictOutcomes.TryGetValue(code, out var outcome):
                return outcome;
            default:
                await EnsureSuccessAsync(response, ct);
                return ReportOutcome.Accepted;
        }
    }

    private async Task<ReportOutcome> PutAsync<T>(string controller, string path, T body, CancellationToken ct)
    {
        using var request = await RequestAsync(HttpMethod.Put, path, controller, ct);
        request.Content = JsonContent.Create(body, options: Json);
        using var response = await clients.CreateClient(HttpClientName).SendAsync(request, ct);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return ReportOutcome.Gone;
            case HttpStatusCode.Conflict:
                return ReportOutcome.Stale;
            default:
                await EnsureSuccessAsync(response, ct);
                return ReportOutcome.Accepted;
        }
    }

    private static readonly Dictionary<string, ReportOutcome> ConflictOutcomes = new(StringComparer.Ordinal)
    {
        ["stale-report"] = ReportOutcome.Stale,
        ["report-conflict"] = ReportOutcome.Conflict,
    };

    /// <summary>The problem document's <c>code</c> (docs/api-decisions.md), or null when the body is no problem document.</summary>
    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            return problem.RootElement.ValueKind == JsonValueKind.Object
                && problem.RootElement.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                ? code.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<HttpRequestMessage> RequestAsync(HttpMethod method, string path, string controller, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (await tokens.TokenForAsync(controller, ct) is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>Any other failure is an exception: the message is nacked and Pub/Sub redelivers it.</summary>
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException(
                $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} returned {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}",
                null, response.StatusCode);
        }
    }
}
