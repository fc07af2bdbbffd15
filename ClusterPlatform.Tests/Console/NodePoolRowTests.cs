using System.Net;
using System.Text.Json;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.Tests.Console;

/// <summary>One node pool's row: what it shows, the merge patch a scale sends, and a refusal with its field errors.</summary>
public sealed class NodePoolRowTests : ConsoleApiComponentContext
{

    private static NodePool Pool(int? replicas, AutoscalingSpec? autoscaling = null) => new(
        "NodePool", Guid.CreateVersion7(), "/api/v1/nodepools/x", Guid.CreateVersion7(), "workers", new Dictionary<string, string>(),
        new NodePoolSpec(replicas, "n2-standard-4", 128, "4.22.2", autoscaling, null),
        1, Samples.Now, Samples.Now, "ada", null, new ResourceStatus(Phases.Ready, 1, [], [], null));

    [Fact]
    public void It_shows_its_machine_type_version_and_scaling()
    {
        var fixedPool = Render<NodePoolRow>(p => p.Add(r => r.Pool, Pool(3)));
        Assert.Contains("n2-standard-4 · 4.22.2 · 3 replicas", fixedPool.Find(".pool-head").TextContent, StringComparison.Ordinal);

        var autoscaled = Render<NodePoolRow>(p => p.Add(r => r.Pool, Pool(null, new AutoscalingSpec(2, 9))));
        Assert.Contains("autoscaling 2–9", autoscaled.Find(".pool-head").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_sends_the_replicas_as_a_merge_patch_and_a_refusal_shows_its_problem_and_field_error()
    {
        var pool = Pool(3);
        string? sent = null;
        Api.On(HttpMethod.Patch, $"/api/v1/nodepools/{pool.Id}", request =>
        {
            Assert.Equal("application/merge-patch+json", request.Content!.Headers.ContentType!.MediaType);
            sent = request.Content.ReadAsStringAsync().Result;
            return FakeApi.Problem(HttpStatusCode.BadRequest, "validation-failed", "Validation failed", "1 field is invalid", "req-np-3",
                new Dictionary<string, string[]> { ["$.spec.replicas"] = ["must be at most 500"] });
        });
        var row = Render<NodePoolRow>(p => p.Add(r => r.Pool, pool));

        row.Find("#pool-workers-apply").Click();

        row.WaitForAssertion(() => Assert.Contains("req-np-3", row.Find("[role=alert]").TextContent, StringComparison.Ordinal));
        Assert.Contains("must be at most 500", row.Markup, StringComparison.Ordinal);
        var spec = JsonDocument.Parse(sent!).RootElement.GetProperty("spec");
        Assert.Equal(3, spec.GetProperty("replicas").GetInt32());
        Assert.Equal(JsonValueKind.Null, spec.GetProperty("autoscaling").ValueKind);
    }
}
