using Bunit;
using ClusterPlatform.WebConsole.Components.Pages;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The cluster detail page's own states over a real ConsoleApi and a fake Api: loading, gone (a 404, as
/// another organization's cluster reads), a refusal with its request id, many node pools, and the delete
/// that waits for the typed name.
/// </summary>
public sealed class ClusterDetailPageTests : ConsoleApiComponentContext
{
    private readonly Cluster cluster = Samples.Cluster();

    private string ClusterPath => $"/api/v1/clusters/{cluster.Id}";

    private void AnswerTheRest(IReadOnlyList<NodePool> pools)
    {
        Api.On(HttpMethod.Get, $"{ClusterPath}/statuses", _ => FakeApi.Body(new StatusReportList("StatusReportList", [])));
        Api.On(HttpMethod.Get, $"{ClusterPath}/nodepools", _ => FakeApi.Body(new ResourceList<NodePool>("NodePoolList", pools, null)));
        Api.On(HttpMethod.Get, $"{ClusterPath}/upgrades", _ => FakeApi.Body(new ClusterUpgradeList("ClusterUpgradeList", "4.22.2", "stable", [])));
    }

    private NodePool Pool(int i) => new(
        "NodePool", Guid.CreateVersion7(), $"/api/v1/nodepools/{i}", cluster.Id, $"pool-{i:00}", new Dictionary<string, string>(),
        new NodePoolSpec(i, "n2-standard-4", 128, "4.22.2", null, null),
        1, Samples.Now, Samples.Now, "ada", null, new ResourceStatus(Phases.Ready, 1, [], [], null));

    [Fact]
    public void While_the_cluster_is_being_read_it_shows_loading_and_no_title()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        Api.On(HttpMethod.Get, ClusterPath, _ => answer.Task);

        var page = Render<ClusterDetail>(p => p.Add(d => d.Id, cluster.Id));

        Assert.Contains("Loading", page.Find(".loading[role=status]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("#cluster-title"));
        Assert.Empty(page.FindAll("[role=alert]"));
    }

    [Fact]
    public void A_404_says_the_cluster_is_gone_and_shows_nothing_of_it()
    {
        Api.On(HttpMethod.Get, ClusterPath, _ => FakeApi.Problem(HttpStatusCode.NotFound, "not-found", "Not found", "Cluster not found.", "req-404"));

        var page = Render<ClusterDetail>(p => p.Add(d => d.Id, cluster.Id));

        page.WaitForAssertion(() => Assert.Contains("no longer exists", page.Find("#cluster-gone").TextContent, StringComparison.Ordinal));
        Assert.Empty(page.FindAll("#cluster-title"));
        Assert.Empty(page.FindAll(".loading"));
    }

    [Fact]
    public void A_refusal_is_shown_with_its_title_detail_and_request_id_instead_of_loading()
    {
        Api.On(HttpMethod.Get, ClusterPath, _ => FakeApi.Problem(HttpStatusCode.Forbidden, "forbidden", "Forbidden", "This token may not read clusters.", "req-403"));

        var page = Render<ClusterDetail>(p => p.Add(d => d.Id, cluster.Id));

        page.WaitForAssertion(() => Assert.Contains("req-403", page.Find(".request-id").TextContent, StringComparison.Ordinal));
        var alert = page.Find("[role=alert]").TextContent;
        Assert.Contains("Forbidden", alert, StringComparison.Ordinal);
        Assert.Contains("This token may not read clusters.", alert, StringComparison.Ordinal);
        Assert.Empty(page.FindAll(".loading"));
    }

    [Fact]
    public void Many_node_pools_are_all_listed_and_none_says_no_pools()
    {
        Api.On(HttpMethod.Get, ClusterPath, _ => FakeApi.Body(cluster, etag: "\"1\""));
        var pools = Enumerable.Range(1, 40).Select(Pool).ToList();
        AnswerTheRest(pools);

        var page = Render<ClusterDetail>(p => p.Add(d => d.Id, cluster.Id));

        page.WaitForAssertion(() => Assert.Equal("prod-1", page.Find("#cluster-title").TextContent));
        page.WaitForAssertion(() => Assert.Equal(40, page.FindAll(".pool-head").Count));
        Assert.Contains("pool-40", page.Markup, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("#no-pools"));
    }

    [Fact]
    public void Delete_is_sent_only_once_the_cluster_name_is_typed()
    {
        Api.On(HttpMethod.Get, ClusterPath, _ => FakeApi.Body(cluster, etag: "\"1\""));
        Api.On(HttpMethod.Delete, ClusterPath, _ => FakeApi.Body(cluster, HttpStatusCode.Accepted));
        AnswerTheRest([]);
        var page = Render<ClusterDetail>(p => p.Add(d => d.Id, cluster.Id));
        page.WaitForAssertion(() => Assert.Equal("No node pools.", page.Find("#no-pools").TextContent));

        page.Find("#delete-cluster").Click();
        Assert.NotNull(page.Find("#confirm-delete").GetAttribute("disabled"));
        page.Find("#delete-confirm-name").Input("prod-");
        Assert.NotNull(page.Find("#confirm-delete").GetAttribute("disabled"));
        Assert.DoesNotContain(Api.Received, r => r.Method == HttpMethod.Delete);

        page.Find("#delete-confirm-name").Input("prod-1");
        page.Find("#confirm-delete").Click();

        page.WaitForAssertion(() => Assert.Single(Api.Received, r => r.Method == HttpMethod.Delete && r.RequestUri!.AbsolutePath == ClusterPath));
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("#delete-dialog")));
    }
}
