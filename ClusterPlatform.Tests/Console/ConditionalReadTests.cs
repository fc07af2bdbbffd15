using System.Net;
using Bunit;
using ClusterPlatform.Client.Models;
using ClusterPlatform.Contracts;
using Cluster = ClusterPlatform.Contracts.Cluster;
using ClusterUpgradeList = ClusterPlatform.Contracts.ClusterUpgradeList;
using CredentialList = ClusterPlatform.Contracts.CredentialList;
using NodePool = ClusterPlatform.Contracts.NodePool;
using StatusReportList = ClusterPlatform.Contracts.StatusReportList;
using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.Components.Pages;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The cluster read revalidates with <c>If-None-Match</c> (docs/api.md, ETags): a 304 keeps the copy read
/// before, a 200 replaces it, and the detail page's poll shows a move to Ready through it.
/// </summary>
public sealed class ConditionalReadTests : ConsoleComponentContext
{

    [Fact]
    public async Task The_second_read_sends_the_last_ETag_a_304_keeps_the_copy_and_a_200_replaces_it()
    {
        var api = FakeApi.AddTo(this);
        var cluster = Samples.Cluster(phase: Phases.Provisioning);
        var path = $"/api/v1/clusters/{cluster.Id}";
        var answers = new Queue<HttpResponseMessage>([
            FakeApi.Body(cluster, etag: "\"5\""),
            FakeApi.NotModified("\"5\""),
            FakeApi.Body(cluster with { Status = cluster.Status with { Phase = Phases.Ready } }, etag: "\"6\""),
            FakeApi.NotModified("\"6\""),
        ]);
        api.On(HttpMethod.Get, path, _ => answers.Dequeue());
        var console = Services.GetRequiredService<ConsoleApi>();
        var ct = Xunit.TestContext.Current.CancellationToken;

        var first = await console.GetClusterAsync(cluster.Id, ct);
        var second = await console.GetClusterAsync(cluster.Id, ct);
        var third = await console.GetClusterAsync(cluster.Id, ct);
        var fourth = await console.GetClusterAsync(cluster.Id, ct);

        Assert.Equal([null, "\"5\"", "\"5\"", "\"6\""], api.Received.Select(r => r.Headers.IfNoneMatch.SingleOrDefault()?.ToString()));
        Assert.Equal(ResourceStatus_phase.Provisioning, first.Status!.Phase);
        Assert.Same(first, second);
        Assert.Equal(ResourceStatus_phase.Ready, third.Status!.Phase);
        Assert.Same(third, fourth);
    }

    [Fact]
    public async Task Reads_of_other_clusters_and_refusals_do_not_share_a_copy()
    {
        var api = FakeApi.AddTo(this);
        var (a, b) = (Samples.Cluster("a"), Samples.Cluster("b"));
        api.On(HttpMethod.Get, $"/api/v1/clusters/{a.Id}", _ => FakeApi.Body(a, etag: "\"1\""));
        var bAnswers = new Queue<HttpResponseMessage>([FakeApi.Body(b, etag: "\"1\""), FakeApi.Problem(HttpStatusCode.NotFound, "not-found", "Not found", "Cluster b does not exist", "req-gone")]);
        api.On(HttpMethod.Get, $"/api/v1/clusters/{b.Id}", _ => bAnswers.Dequeue());
        var console = Services.GetRequiredService<ConsoleApi>();
        var ct = Xunit.TestContext.Current.CancellationToken;

        await console.GetClusterAsync(a.Id, ct);
        Assert.Equal("b", (await console.GetClusterAsync(b.Id, ct)).Name);
        var gone = await Assert.ThrowsAsync<ApiProblemException>(() => console.GetClusterAsync(b.Id, ct));

        Assert.Equal(404, gone.Status);
        Assert.Equal("req-gone", gone.RequestId);
        Assert.Null(api.Received[1].Headers.IfNoneMatch.SingleOrDefault());
    }

    [Fact]
    public void The_detail_page_polls_with_If_None_Match_keeps_its_view_on_304_and_shows_the_move_to_Ready()
    {
        var api = FakeApi.AddTo(this, TimeSpan.FromMilliseconds(50));
        var cluster = Samples.Cluster(phase: Phases.Provisioning);
        var id = cluster.Id;
        var ready = false;
        api.On(HttpMethod.Get, $"/api/v1/clusters/{id}", request =>
        {
            var (etag, shown) = ready ? ("\"6\"", cluster with { Status = cluster.Status with { Phase = Phases.Ready } }) : ("\"5\"", cluster);
            return request.Headers.IfNoneMatch.Any(t => t.Tag == etag) ? FakeApi.NotModified(etag) : FakeApi.Body(shown, etag: etag);
        });
        api.On(HttpMethod.Get, $"/api/v1/clusters/{id}/statuses", _ => FakeApi.Body(new StatusReportList("StatusReportList", [])));
        api.On(HttpMethod.Get, $"/api/v1/clusters/{id}/nodepools", _ => FakeApi.Body(new ResourceList<NodePool>("NodePoolList", [], null)));
        api.On(HttpMethod.Get, $"/api/v1/clusters/{id}/upgrades", _ => FakeApi.Body(new ClusterUpgradeList("ClusterUpgradeList", "4.22.2", "stable", [])));
        api.On(HttpMethod.Get, $"/api/v1/clusters/{id}/credentials", _ => FakeApi.Body(new CredentialList("CredentialList", [])));
        List<HttpRequestMessage> ClusterReads() => [.. api.Received.Where(r => r.RequestUri!.AbsolutePath == $"/api/v1/clusters/{id}")];

        var page = Render<ClusterDetail>(p => p.Add(d => d.Id, id));

        page.WaitForAssertion(() => Assert.True(ClusterReads().Count >= 4), TimeSpan.FromSeconds(10));
        Assert.All(ClusterReads().Skip(1), r => Assert.Equal("\"5\"", r.Headers.IfNoneMatch.Single().Tag));
        Assert.Equal(Phases.Provisioning, page.Find("#overview-phase").TextContent);
        Assert.Empty(page.FindAll("[role=alert]"));

        ready = true;
        page.WaitForAssertion(() => Assert.Equal(Phases.Ready, page.Find("#overview-phase").TextContent), TimeSpan.FromSeconds(10));
        Assert.Empty(page.FindAll("[role=alert]"));
    }
}
