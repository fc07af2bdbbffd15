using System.Net;
using System.Text.Json;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.FluentUI.AspNetCore.Components;
using Models = ClusterPlatform.Client.Models;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// One node pool's row: what it shows, and how Apply resizes: cpctl's rule (NodePoolResize), a GET and a
/// full PUT with <c>If-Match</c>, read again after a 412; a refusal shows with its field errors.
/// </summary>
public sealed class NodePoolRowTests : ConsoleApiComponentContext
{

    private static NodePool Pool(int? replicas, AutoscalingSpec? autoscaling = null) => new(
        "NodePool", Guid.CreateVersion7(), "/api/v1/nodepools/x", Guid.CreateVersion7(), "workers", new Dictionary<string, string> { ["team"] = "sre" },
        new NodePoolSpec(replicas, "n2-standard-4", 128, "4.22.2", autoscaling, null),
        1, Samples.Now, Samples.Now, "ada", null, new ResourceStatus(Phases.Ready, 1, [], [], null));

    [Fact]
    public void It_shows_its_machine_type_version_and_scaling()
    {
        var fixedPool = Render<NodePoolRow>(p => p.Add(r => r.Pool, Wire.As<Models.NodePool>(Pool(3))));
        Assert.Contains("n2-standard-4 · 4.22.2 · 3 replicas", fixedPool.Find(".pool-head").TextContent, StringComparison.Ordinal);

        var autoscaled = Render<NodePoolRow>(p => p.Add(r => r.Pool, Wire.As<Models.NodePool>(Pool(null, new AutoscalingSpec(2, 9)))));
        Assert.Contains("autoscaling 2–9", autoscaled.Find(".pool-head").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_replaces_the_pool_as_read_with_If_Match_and_a_refusal_shows_its_problem_and_field_error()
    {
        var pool = Pool(null, new AutoscalingSpec(2, 9));
        var path = $"/api/v1/nodepools/{pool.Id}";
        JsonElement? sent = null;
        Api.On(HttpMethod.Get, path, _ => FakeApi.Body(pool, etag: "\"7\""));
        Api.On(HttpMethod.Put, path, request =>
        {
            Assert.Equal("application/json", request.Content!.Headers.ContentType!.MediaType);
            sent = JsonDocument.Parse(request.Content.ReadAsStringAsync().Result).RootElement.Clone();
            return FakeApi.StaleIfMatch(request, "\"7\"") ?? FakeApi.Problem(HttpStatusCode.BadRequest, "validation-failed", "Validation failed", "1 field is invalid", "req-np-3",
                new Dictionary<string, string[]> { ["$.spec.replicas"] = ["must be at most 500"] });
        });
        var row = Render<NodePoolRow>(p => p.Add(r => r.Pool, Wire.As<Models.NodePool>(pool)));

        row.Find("#pool-workers-mode").Change(false);
        row.Find("#pool-workers-apply").Click();

        row.WaitForAssertion(() => Assert.Contains("req-np-3", row.Find("[role=alert]").TextContent, StringComparison.Ordinal));
        Assert.Contains("must be at most 500", row.Markup, StringComparison.Ordinal);
        Assert.Equal("\"7\"", Api.Received.Single(r => r.Method == HttpMethod.Put).Headers.IfMatch.Single().Tag);
        var spec = sent!.Value.GetProperty("spec");
        Assert.Equal(0, spec.GetProperty("replicas").GetInt32());
        Assert.False(spec.TryGetProperty("autoscaling", out _), "a full replace leaves autoscaling out, which removes it");
        Assert.Equal("n2-standard-4", spec.GetProperty("machineType").GetString());
        Assert.Equal("sre", sent.Value.GetProperty("labels").GetProperty("team").GetString());
    }

    [Fact]
    public void A_412_reads_the_pool_again_and_applies_the_size_to_what_it_says_now()
    {
        var pool = Pool(3);
        var path = $"/api/v1/nodepools/{pool.Id}";
        // Between the row's read and its PUT, someone else's change moved the ETag from "1" to "2".
        var reads = new Queue<string>(["\"1\"", "\"2\""]);
        var current = pool;
        Api.On(HttpMethod.Get, path, _ => FakeApi.Body(current, etag: reads.Count > 1 ? reads.Dequeue() : reads.Peek()));
        Api.On(HttpMethod.Put, path, request =>
        {
            if (FakeApi.StaleIfMatch(request, "\"2\"") is { } stale)
            {
                return stale;
            }

            var spec = JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result).RootElement.GetProperty("spec");
            current = pool with { Spec = pool.Spec with { Replicas = null, Autoscaling = new AutoscalingSpec(spec.GetProperty("autoscaling").GetProperty("min").GetInt32(), spec.GetProperty("autoscaling").GetProperty("max").GetInt32()) } };
            return FakeApi.Body(current, etag: "\"3\"");
        });
        Models.NodePool? scaled = null;
        var row = Render<NodePoolRow>(p => p.Add(r => r.Pool, Wire.As<Models.NodePool>(pool)).Add(r => r.Scaled, (Models.NodePool p) => scaled = p));

        // Autoscaling's bounds start at 1 and the pool's replicas.
        row.Find("#pool-workers-mode").Change(true);
        row.Find("#pool-workers-apply").Click();

        row.WaitForAssertion(() => Assert.NotNull(scaled));
        Assert.Equal((1, 3), (scaled!.Spec!.Autoscaling!.Min, scaled.Spec.Autoscaling.Max));
        Assert.Equal(["\"1\"", "\"2\""], Api.Received.Where(r => r.Method == HttpMethod.Put).Select(r => r.Headers.IfMatch.Single().Tag));
        Assert.Equal(2, Api.Received.Count(r => r.Method == HttpMethod.Get));
        Assert.Empty(row.FindAll("[role=alert]"));
    }
}
