using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using static ClusterPlatform.Controllers.Providers.GoogleRest;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The checks against Google's REST APIs: Resource Manager v3 (project, testIamPermissions),
/// Service Usage v1 (services:batchGet) and Compute v1 (regions.get quotas). The permissions tested
/// are the caller's own, i.e. the platform's service account whose credentials this process runs with.
/// </summary>
internal sealed class GcpEnvironmentProvider(HttpClient http, IOptions<ProviderOptions> options) : IGcpEnvironmentProvider
{
    private GcpOptions Gcp => options.Value.Gcp;

    public async Task<GcpEnvironmentReport> ValidateAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        var (project, projectNumber) = await ProjectAsync(request.ProjectId, cancellationToken);
        if (!project.Passed)
        {
            return new GcpEnvironmentReport([project]);
        }

        var checks = await Task.WhenAll(
            ApisAsync(request.ProjectId, cancellationToken),
            QuotaAsync(request, cancellationToken),
            PermissionsAsync(request.ProjectId, cancellationToken));
        return new GcpEnvironmentReport([project, .. checks], projectNumber);
    }

    private async Task<(GcpEnvironmentCheck Check, string? ProjectNumber)> ProjectAsync(string projectId, CancellationToken cancellationToken)
    {
        // Google answers 403 for a project that does not exist as well as for one we may not see,
        // so both read as "not reachable".
        var (status, body) = await SendAsync(http, HttpMethod.Get, new Uri(Gcp.ResourceManagerUrl, $"v3/projects/{Escape(projectId)}"),
            null, $"get project {projectId}", cancellationToken, 403, 404);
        var state = (string?)body?["state"];
        // Resource Manager v3 names a project by its number: "projects/123456789".
        var number = ((string?)body?["name"])?.Split('/') is ["projects", var n] && n.All(char.IsAsciiDigit) ? n : null;
        GcpEnvironmentCheck check = status switch
        {
            403 or 404 => new(GcpEnvironmentChecks.ProjectReachable, false, $"project {projectId} does not exist or the platform's service account cannot access it"),
            _ when state != "ACTIVE" => new(GcpEnvironmentChecks.ProjectReachable, false, $"project {projectId} is not active (state {state})"),
            _ => new(GcpEnvironmentChecks.ProjectReachable, true, $"project {projectId} is reachable"),
        };
        return (check, number);
    }

    private async Task<GcpEnvironmentCheck> ApisAsync(string projectId, CancellationToken cancellationToken)
    {
        var names = string.Join('&', GcpEnvironmentChecks.RequiredApis.Select(api => $"names={Escape($"projects/{projectId}/services/{api}")}"));
        var (_, body) = await SendAsync(http, HttpMethod.Get, new Uri(Gcp.ServiceUsageUrl, $"v1/projects/{Escape(projectId)}/services:batchGet?{names}"),
            null, $"get services of project {projectId}", cancellationToken);

        // Service names come back with the project number, so match on the service's own name.
        var enabled = (body?["services"] as JsonArray ?? [])
            .Where(service => (string?)service?["state"] == "ENABLED")
            .Select(service => ((string?)service?["name"])?.Split('/')[^1])
            .ToHashSet(StringComparer.Ordinal);
        var disabled = GcpEnvironmentChecks.RequiredApis.Where(api => !enabled.Contains(api)).ToList();
        return disabled.Count == 0
            ? new(GcpEnvironmentChecks.ApisEnabled, true, "required APIs are enabled")
            : new(GcpEnvironmentChecks.ApisEnabled, false, $"APIs not enabled in project {projectId}: {string.Join(", ", disabled)}");
    }

    private async Task<GcpEnvironmentCheck> QuotaAsync(GcpEnvironmentRequest request, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(http, HttpMethod.Get,
            new Uri(Gcp.ComputeUrl, $"compute/v1/projects/{Escape(request.ProjectId)}/regions/{Escape(request.Region)}"),
            null, $"get region {request.Region}", cancellationToken, 404);
        if (status == 404)
        {
            return new(GcpEnvironmentChecks.CpuQuota, false, $"region {request.Region} does not exist in project {request.ProjectId}");
        }

        // The regional "CPUS" quota; families with their own metric (N2_CPUS, C2_CPUS, ...) are not checked yet.
        var cpus = (body?["quotas"] as JsonArray ?? []).FirstOrDefault(quota => (string?)quota?["metric"] == "CPUS");
        if (cpus is null)
        {
            return new(GcpEnvironmentChecks.CpuQuota, false, $"region {request.Region} reports no CPUS quota");
        }

        var free = (double)cpus["limit"]! - (double)(cpus["usage"] ?? 0);
        var freeText = free.ToString("0.##", CultureInfo.InvariantCulture);
        return free >= request.RequiredVcpus
            ? new(GcpEnvironmentChecks.CpuQuota, true, $"CPU quota in {request.Region} has {freeText} vCPUs free, {request.RequiredVcpus} needed")
            : new(GcpEnvironmentChecks.CpuQuota, false, $"CPU quota in {request.Region} has {freeText} vCPUs free, {request.RequiredVcpus} needed");
    }

    private async Task<GcpEnvironmentCheck> PermissionsAsync(string projectId, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["permissions"] = new JsonArray([.. GcpEnvironmentChecks.RequiredPermissions.Select(p => (JsonNode?)p)]) };
        var (_, granted) = await SendAsync(http, HttpMethod.Post, new Uri(Gcp.ResourceManagerUrl, $"v3/projects/{Escape(projectId)}:testIamPermissions"),
            body, $"test permissions in project {projectId}", cancellationToken);

        // The answer lists only the granted subset, and omits the field when none is granted.
        var held = (granted?["permissions"] as JsonArray ?? []).Select(p => (string?)p).ToHashSet(StringComparer.Ordinal);
        var missing = GcpEnvironmentChecks.RequiredPermissions.Where(p => !held.Contains(p)).ToList();
        return missing.Count == 0
            ? new(GcpEnvironmentChecks.IamPermissions, true, "service account has the required permissions")
            : new(GcpEnvironmentChecks.IamPermissions, false, $"service account lacks permissions in project {projectId}: {string.Join(", ", missing)}");
    }
}
