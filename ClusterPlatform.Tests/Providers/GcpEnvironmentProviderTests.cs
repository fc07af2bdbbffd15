extern alias controllers;

using ClusterPlatform.Tests.Infrastructure;
using System.Text.Json.Nodes;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Providers;

/// <summary>The real provider against a local server speaking Resource Manager v3, Service Usage v1 and Compute v1.</summary>
public sealed class GcpEnvironmentProviderTests
{
    private static CancellationToken Cancellation => TestContext.Current.CancellationToken;

    private sealed record FakeProject(string[] DisabledApis, double CpuLimit, double CpuUsage, string[] MissingPermissions, string State = "ACTIVE");

    private static readonly Dictionary<string, FakeProject> Projects = new()
    {
        ["good-project"] = new([], 24, 4, []),
        ["poor-project"] = new(["container.googleapis.com", "dns.googleapis.com"], 8, 6, ["iam.serviceAccounts.actAs", "compute.firewalls.create"]),
        ["closing-project"] = new([], 24, 0, [], "DELETE_REQUESTED"),
    };

    private static void MapGoogle(WebApplication app)
    {
        app.MapGet("/v3/projects/{project}", (string project) => project switch
        {
            "outage-project" => LocalApiServer.GoogleError(503, "The service is currently unavailable."),
            _ when Projects.TryGetValue(project, out var p) => Results.Json(new { name = "projects/123456789", projectId = project, state = p.State }),
            // Resource Manager answers 403, not 404, for a project that does not exist.
            _ => LocalApiServer.GoogleError(403, $"Permission denied on resource project {project}."),
        });
        app.MapPost("/v3/projects/{project}:testIamPermissions", async (string project, HttpRequest request) =>
        {
            var asked = (await JsonNode.ParseAsync(request.Body))!["permissions"]!.AsArray().Select(p => (string)p!);
            var granted = asked.Except(Projects[project].MissingPermissions).ToArray();
            return granted.Length == 0 ? Results.Json(new { }) : Results.Json(new { permissions = granted });
        });
        app.MapGet("/v1/projects/{project}/services:batchGet", (string project, HttpRequest request) => Results.Json(new
        {
            services = request.Query["names"].Select(name => name!.Split('/')[^1]).Select(api => new
            {
                name = $"projects/123456789/services/{api}",
                config = new { name = api },
                state = Projects[project].DisabledApis.Contains(api) ? "DISABLED" : "ENABLED",
            }),
        }));
        app.MapGet("/compute/v1/projects/{project}/regions/{region}", (string project, string region) => region == "us-central1"
            ? Results.Json(new
            {
                kind = "compute#region",
                name = region,
                quotas = new object[]
                {
                    new { metric = "SSD_TOTAL_GB", limit = 500.0, usage = 0.0 },
                    new { metric = "CPUS", limit = Projects[project].CpuLimit, usage = Projects[project].CpuUsage },
                },
            })
            : LocalApiServer.GoogleError(404, $"The resource 'projects/{project}/regions/{region}' was not found"));
    }

    private static async Task<(LocalApiServer Server, IGcpEnvironmentProvider Provider)> StartAsync()
    {
        var server = await LocalApiServer.StartAsync(MapGoogle);
        var options = new ProviderOptions
        {
            Gcp = { ResourceManagerUrl = server.BaseAddress, ServiceUsageUrl = server.BaseAddress, ComputeUrl = server.BaseAddress },
        };
        return (server, new GcpEnvironmentProvider(new HttpClient(), Options.Create(options)));
    }

    [Fact]
    public async Task A_healthy_project_passes_every_check()
    {
        var (server, provider) = await StartAsync();
        await using var _ = server;

        var report = await provider.ValidateAsync(GcpRequests.For("good-project", "us-central1", 20), Cancellation);

        Assert.True(report.Passed, report.Message);
        Assert.Equal("123456789", report.ProjectNumber); // from the project's resource name, projects/123456789
        Assert.Equal(4, report.Checks.Count);
        Assert.Contains("CPU quota in us-central1 has 20 vCPUs free, 20 needed", report.Message, StringComparison.Ordinal);
        Assert.Contains(server.Log, r => r.StartsWith("POST /v3/projects/good-project:testIamPermissions -> 200", StringComparison.Ordinal));
        Assert.Contains(server.Log, r => r.StartsWith("GET /v1/projects/good-project/services:batchGet?names=projects%2Fgood-project%2Fservices%2Fcompute.googleapis.com&", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disabled_apis_insufficient_quota_and_missing_permissions_are_all_reported()
    {
        var (server, provider) = await StartAsync();
        await using var _ = server;

        var report = await provider.ValidateAsync(GcpRequests.For("poor-project", "us-central1", 4), Cancellation);

        Assert.False(report.Passed);
        Assert.Equal(
            "APIs not enabled in project poor-project: container.googleapis.com, dns.googleapis.com; "
            + "CPU quota in us-central1 has 2 vCPUs free, 4 needed; "
            + "service account lacks permissions in project poor-project: compute.firewalls.create, iam.serviceAccounts.actAs",
            report.Message);
    }

    [Fact]
    public async Task A_missing_or_inactive_project_fails_only_the_reachability_check()
    {
        var (server, provider) = await StartAsync();
        await using var _ = server;

        var missing = await provider.ValidateAsync(GcpRequests.For("nobody-project", "us-central1", 4), Cancellation);
        var closing = await provider.ValidateAsync(GcpRequests.For("closing-project", "us-central1", 4), Cancellation);

        var check = Assert.Single(missing.Checks);
        Assert.Equal((GcpEnvironmentChecks.ProjectReachable, false), (check.Name, check.Passed));
        Assert.Equal("project nobody-project does not exist or the platform's service account cannot access it", missing.Message);
        Assert.Equal("project closing-project is not active (state DELETE_REQUESTED)", closing.Message);
        Assert.DoesNotContain(server.Log, r => r.Contains("services:batchGet", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_region_fails_the_quota_check()
    {
        var (server, provider) = await StartAsync();
        await using var _ = server;

        var report = await provider.ValidateAsync(GcpRequests.For("good-project", "mars-north1", 4), Cancellation);

        Assert.Equal("region mars-north1 does not exist in project good-project", report.Message);
    }

    [Fact]
    public async Task A_google_outage_is_a_transient_provider_failure_not_a_failed_check()
    {
        var (server, provider) = await StartAsync();
        await using var _ = server;

        var failure = await Assert.ThrowsAsync<ProviderException>(() =>
            provider.ValidateAsync(GcpRequests.For("outage-project", "us-central1", 4), Cancellation));

        Assert.True(failure.Transient);
        Assert.Contains("HTTP 503: The service is currently unavailable.", failure.Message, StringComparison.Ordinal);
    }
}
