using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.SignIn;
using Microsoft.AspNetCore.Components.Authorization;

namespace ClusterPlatform.WebConsole.Api;

/// <summary>
/// The console's typed client of the Api (docs/api.md), over the Contracts' records. Every call
/// carries the signed-in user's own token, read from the session on each call, so the Api decides
/// what this user may see and do. A refusal is an <see cref="ApiProblemException"/>; an outage is also
/// recorded on <see cref="ApiConnection"/> for the banner.
/// </summary>
public sealed class ConsoleApi(HttpClient http, AuthenticationStateProvider authentication, ApiConnection connection)
{
    public const string HttpClientName = "api";
    private const string Base = "/api/v1";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // A create leaves out what it does not set (the Api fills defaults); it refuses fields it does not know.
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    // The last body and ETag of each conditional read, by path. It lives as long as this client: a typed
    // client is transient, so that is one component of one signed-in user's circuit, never shared.
    private readonly ConcurrentDictionary<string, (EntityTagHeaderValue ETag, object Body)> validated = new(StringComparer.Ordinal);

    public Task<ResourceList<Cluster>> ListClustersAsync(string? phase, string? labelSelector, string? continueToken, int limit, CancellationToken ct) =>
        SendAsync<ResourceList<Cluster>>(HttpMethod.Get, $"{Base}/clusters{Query(("limit", limit.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("phase", phase), ("labelSelector", labelSelector), ("continue", continueToken))}", null, ct);

    /// <summary>
    /// A conditional read (<see cref="ReadConditionallyAsync{T}"/>): the cluster's ETag covers its status
    /// (docs/api.md, ETags), so the detail page's poll costs a 304 while the cluster does not move.
    /// </summary>
    public Task<Cluster> GetClusterAsync(Guid id, CancellationToken ct) => ReadConditionallyAsync<Cluster>($"{Base}/clusters/{id}", ct);

    /// <summary>
    /// Creates with a fresh <c>Idempotency-Key</c>, so the resilience handler's retry of a create whose
    /// answer was lost gets the first answer instead of a name conflict.
    /// </summary>
    public Task<Cluster> CreateClusterAsync(ClusterCreateRequest request, CancellationToken ct) =>
        SendAsync<Cluster>(HttpMethod.Post, $"{Base}/clusters", JsonContent.Create(request, options: Json), ct, idempotent: true);

    /// <summary>An upgrade: a merge patch of <c>spec.release.version</c> (docs/api.md, Upgrades).</summary>
    public Task<Cluster> UpgradeClusterAsync(Guid id, string version, CancellationToken ct) =>
        SendAsync<Cluster>(HttpMethod.Patch, $"{Base}/clusters/{id}", MergePatch(new JsonObject { ["spec"] = new JsonObject { ["release"] = new JsonObject { ["version"] = version } } }), ct);

    public Task DeleteClusterAsync(Guid id, CancellationToken ct) => SendAsync<JsonElement>(HttpMethod.Delete, $"{Base}/clusters/{id}", null, ct);

    public Task<StatusReportList> GetStatusesAsync(Guid id, CancellationToken ct) => SendAsync<StatusReportList>(HttpMethod.Get, $"{Base}/clusters/{id}/statuses", null, ct);

    public Task<ClusterUpgradeList> GetUpgradesAsync(Guid id, CancellationToken ct) => SendAsync<ClusterUpgradeList>(HttpMethod.Get, $"{Base}/clusters/{id}/upgrades", null, ct);

    public Task<AuditList> GetAuditAsync(Guid id, string? continueToken, CancellationToken ct) =>
        SendAsync<AuditList>(HttpMethod.Get, $"{Base}/clusters/{id}/audit{Query(("limit", "500"), ("continue", continueToken))}", null, ct);

    public Task<ResourceList<NodePool>> ListNodePoolsAsync(Guid clusterId, CancellationToken ct) =>
        SendAsync<ResourceList<NodePool>>(HttpMethod.Get, $"{Base}/clusters/{clusterId}/nodepools?limit=500", null, ct);

    public Task<NodePool> CreateNodePoolAsync(NodePoolCreateRequest request, CancellationToken ct) =>
        SendAsync<NodePool>(HttpMethod.Post, $"{Base}/nodepools", JsonContent.Create(request, options: Json), ct, idempotent: true);

    /// <summary>Scales in place: fixed replicas, or autoscaling between two bounds (exactly one of the two is set, the other removed).</summary>
    public Task<NodePool> ScaleNodePoolAsync(Guid id, int? replicas, AutoscalingSpec? autoscaling, CancellationToken ct) =>
        SendAsync<NodePool>(HttpMethod.Patch, $"{Base}/nodepools/{id}", MergePatch(new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["autoscaling"] = autoscaling is null ? null : new JsonObject { ["min"] = autoscaling.Min, ["max"] = autoscaling.Max },
            },
        }), ct);

    public Task<CredentialList> ListCredentialsAsync(Guid clusterId, CancellationToken ct) =>
        SendAsync<CredentialList>(HttpMethod.Get, $"{Base}/clusters/{clusterId}/credentials", null, ct);

    /// <summary>Requests a break-glass credential for a CSR made in the browser (docs/api.md, Credentials); the key never comes here.</summary>
    public Task<Credential> RequestCredentialAsync(Guid clusterId, CredentialRequest request, CancellationToken ct) =>
        SendAsync<Credential>(HttpMethod.Post, $"{Base}/clusters/{clusterId}/credentials", JsonContent.Create(request, options: Json), ct);

    /// <summary>One credential; an Issued one carries its certificate and kubeconfig for its requester.</summary>
    public Task<Credential> GetCredentialAsync(Guid clusterId, Guid credentialId, CancellationToken ct) =>
        SendAsync<Credential>(HttpMethod.Get, $"{Base}/clusters/{clusterId}/credentials/{credentialId}", null, ct);

    /// <summary>Revokes every break-glass credential of the cluster (HyperShift revokes by signer).</summary>
    public Task<CredentialRevocation> RevokeCredentialsAsync(Guid clusterId, CancellationToken ct) =>
        SendAsync<CredentialRevocation>(HttpMethod.Post, $"{Base}/clusters/{clusterId}/credentials:revoke", null, ct);

    /// <summary>One revocation, to watch it move from Pending to Completed or Failed.</summary>
    public Task<CredentialRevocation> GetCredentialRevocationAsync(Guid clusterId, Guid revocationId, CancellationToken ct) =>
        SendAsync<CredentialRevocation>(HttpMethod.Get, $"{Base}/clusters/{clusterId}/credentials/revocations/{revocationId}", null, ct);

    public Task<ResourceList<OpenShiftVersion>> ListVersionsAsync(string channelGroup, CancellationToken ct) =>
        SendAsync<ResourceList<OpenShiftVersion>>(HttpMethod.Get, $"{Base}/versions{Query(("channelGroup", channelGroup))}", null, ct);

    public Task<ManagementClusterList> ListManagementClustersAsync(CancellationToken ct) =>
        SendAsync<ManagementClusterList>(HttpMethod.Get, $"{Base}/management-clusters", null, ct);

    private static StringContent MergePatch(JsonObject patch) =>
        new(patch.ToJsonString(Json), Encoding.UTF8, "application/merge-patch+json");

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, CancellationToken ct, bool idempotent = false)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (idempotent)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        }

        using var response = await AnswerAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NoContent || typeof(T) == typeof(JsonElement))
        {
            return default!;
        }

        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    /// <summary>
    /// A GET with <c>If-None-Match</c> and the ETag of the copy this client last read from <paramref name="path"/>:
    /// a 304 means that copy is still exact (the ETag covers the whole body, status included), so it is
    /// returned as it is; a 200 replaces it. The first read, and one whose answer has no ETag, reads in full.
    /// </summary>
    private async Task<T> ReadConditionallyAsync<T>(string path, CancellationToken ct)
        where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        var known = validated.TryGetValue(path, out var copy);
        if (known)
        {
            request.Headers.IfNoneMatch.Add(copy.ETag);
        }

        using var response = await AnswerAsync(request, ct);
        if (response.StatusCode == HttpStatusCode.NotModified && known)
        {
            return (T)copy.Body;
        }

        var body = (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
        if (response.Headers.ETag is { } etag)
        {
            validated[path] = (etag, body);
        }
        else
        {
            validated.TryRemove(path, out _);
        }

        return body;
    }

    /// <summary>
    /// Sends with the user's token and gives the Api's answer: a success, or a 304 to a conditional read;
    /// a refusal is thrown as its problem, and an outage is also recorded for the banner.
    /// </summary>
    private async Task<HttpResponseMessage> AnswerAsync(HttpRequestMessage request, CancellationToken ct)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync());
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
                                      || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            var outage = ApiProblemException.Unreachable(e.Message);
            connection.Failed(outage);
            throw outage;
        }

        var notModified = response.StatusCode == HttpStatusCode.NotModified && request.Headers.IfNoneMatch.Count > 0;
        if (response.IsSuccessStatusCode || notModified)
        {
            connection.Answered();
            return response;
        }

        using (response)
        {
            var problem = await ApiProblemException.ReadAsync(response, ct);
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
    }

    private async Task<string> TokenAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.FindFirst(ConsoleClaims.ApiToken)?.Value
            ?? throw new ApiProblemException(401, "unauthenticated", "You are signed out", "Sign in again to continue.", new Dictionary<string, string[]>(), [], null);
    }
}

internal static class ConsoleApiRegistration
{
    public static void AddConsoleApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddScoped<ApiConnection>();
        services.AddHttpClient<ConsoleApi>(http => http.BaseAddress = new Uri(configuration["Console:ApiBaseAddress"] ?? "http://api"));
        services.Configure<ConsoleOptions>(configuration.GetSection(ConsoleOptions.Section));
        services.Configure<PlatformSettings>(configuration.GetSection(PlatformSettings.Section));
    }
}

/// <summary><c>Console</c>: where the Api is and how often the pages look again.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// <c>Platform:SupportedRegions</c>: the regions the create form offers. The same key as the Api's
/// (its validation has the final word); the Api serves no settings endpoint to read it from.
/// </summary>
public sealed class PlatformSettings
{
    public const string Section = "Platform";

    public List<string> SupportedRegions { get; set; } = [];
}
