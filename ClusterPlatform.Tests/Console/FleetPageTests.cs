using System.Net;
using System.Text.Json;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Components.Pages;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.Tests.Console;

/// <summary>The fleet page: loading, no management clusters, a refusal, and many clusters placed over several list pages.</summary>
public sealed class FleetPageTests : ConsoleApiComponentContext
{
    private const string FleetPath = "/api/v1/management-clusters";
    private const string ClustersPath = "/api/v1/clusters";

    private static ManagementCluster Management(string name, int load) => new(name, "us-central1", 100, load, $"https://{name}.example.com:6443", $"apps.{name}.example.com");

    private static Cluster PlacedOn(string management, int i)
    {
        var cluster = Samples.Cluster($"c-{i:000}");
        var placement = new ControllerStatus(ControllerNames.Placement, 1, 1, Samples.Now, [],
            JsonSerializer.SerializeToElement(new { managementCluster = management }));
        return cluster with { Status = cluster.Status with { Controllers = [placement] } };
    }

    [Fact]
    public void While_the_fleet_is_read_it_shows_loading()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        Api.On(HttpMethod.Get, FleetPath, _ => answer.Task);

        var page = Render<Fleet>();

        Assert.Contains("Loading", page.Find("[role=status]").TextContent, StringComparison.Ordinal);
        Api.On(HttpMethod.Get, ClustersPath, _ => FakeApi.Body(new ResourceList<Cluster>("ClusterList", [], null)));
        answer.SetResult(FakeApi.Body(new ManagementClusterList("ManagementClusterList", [])));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[role=status]")));
        Assert.Single(page.FindAll("#no-management-clusters"));
    }

    [Fact]
    public void No_management_cluster_says_so()
    {
        Api.On(HttpMethod.Get, FleetPath, _ => FakeApi.Body(new ManagementClusterList("ManagementClusterList", [])));
        Api.On(HttpMethod.Get, ClustersPath, _ => FakeApi.Body(new ResourceList<Cluster>("ClusterList", [], null)));

        var page = Render<Fleet>();

        page.WaitForAssertion(() => Assert.Contains("No management clusters are registered.", page.Find("#no-management-clusters").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void A_refusal_is_shown_with_its_title_detail_and_request_id_and_no_loading()
    {
        Api.On(HttpMethod.Get, FleetPath, _ => FakeApi.Problem(HttpStatusCode.Forbidden, "forbidden", "Forbidden", "The fleet is for admins and controllers", "req-fleet-1"));

        var page = Render<Fleet>();

        page.WaitForAssertion(() =>
        {
            var alert = page.Find("[role=alert]");
            Assert.Contains("Forbidden:", alert.OuterHtml, StringComparison.Ordinal);
            Assert.Contains("The fleet is for admins and controllers", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("req-fleet-1", alert.TextContent, StringComparison.Ordinal);
        });
        Assert.Empty(page.FindAll("[role=status]"));
        Assert.Empty(page.FindAll("#fleet"));
    }

    [Fact]
    public void Many_clusters_over_several_pages_are_listed_under_the_management_cluster_they_are_placed_on()
    {
        Api.On(HttpMethod.Get, FleetPath, _ => FakeApi.Body(new ManagementClusterList("ManagementClusterList", [Management("mc-a", 70), Management("mc-b", 0)])));
        var clusters = Enumerable.Range(0, 700).Select(i => i % 10 == 9 ? Samples.Cluster($"unplaced-{i}") : PlacedOn("mc-a", i)).ToList();
        Api.On(HttpMethod.Get, ClustersPath, request => request.RequestUri!.Query.Contains("continue=next", StringComparison.Ordinal)
            ? FakeApi.Body(new ResourceList<Cluster>("ClusterList", clusters[500..], null))
            : FakeApi.Body(new ResourceList<Cluster>("ClusterList", clusters[..500], "next")));

        var page = Render<Fleet>();

        page.WaitForAssertion(() => Assert.Equal(630, page.FindAll("[data-management-cluster=mc-a] .placements li").Count));
        Assert.Contains("Load 70 of 100", page.Find("[data-management-cluster=mc-a] label").TextContent, StringComparison.Ordinal);
        Assert.Contains("No clusters placed.", page.Find("[data-management-cluster=mc-b]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("unplaced-", page.Markup, StringComparison.Ordinal);
        Assert.Contains(page.FindAll("[data-management-cluster=mc-a] a"), a => a.TextContent == "c-650" && a.GetAttribute("href") == $"/clusters/{clusters[650].Id}");
    }
}
