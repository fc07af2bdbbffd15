using System.Web;
using Bunit;
using ClusterPlatform.WebConsole.Components.Pages;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The Clusters page over a real ConsoleApi and a fake Api: what it asks the Api for (page size, the
/// phase and label selector, the cursor), paging forward and back by the Api's opaque <c>continue</c>,
/// a refused selector shown while the rows stay, and a cluster's move to Ready seen by the poll without
/// a reload. The table's own states (loading, empty, many) are ClusterTableTests'.
/// </summary>
public sealed class ClustersPageTests : ConsoleComponentContext
{
    private const string ListPath = "/api/v1/clusters";

    private static HttpResponseMessage Page(string? next, params Cluster[] clusters) =>
        FakeApi.Body(new ResourceList<Cluster>("ClusterList", clusters, next));

    private static System.Collections.Specialized.NameValueCollection Query(HttpRequestMessage request) => HttpUtility.ParseQueryString(request.RequestUri!.Query);

    private static List<HttpRequestMessage> Lists(FakeApi api) => [.. api.Received.Where(r => r.Method == HttpMethod.Get && r.RequestUri!.AbsolutePath == ListPath)];

    [Fact]
    public void Pages_go_forward_by_the_apis_cursor_and_back_to_the_first_and_next_is_off_on_the_last()
    {
        var api = FakeApi.AddTo(this);
        api.On(HttpMethod.Get, ListPath, request => Query(request)["continue"] switch
        {
            null => Page("cursor-2", Samples.Cluster("first-page")),
            "cursor-2" => Page(null, Samples.Cluster("second-page")),
            var other => FakeApi.Problem(HttpStatusCode.BadRequest, "invalid-continue", "Invalid continue token", other, "req-bad-cursor"),
        });

        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-cluster=first-page]")));
        var first = Query(Lists(api)[0]);
        Assert.Equal("20", first["limit"]);
        Assert.Null(first["continue"]);
        Assert.Null(first["phase"]);
        Assert.Null(first["labelSelector"]);
        Assert.True(page.Find("#previous-page").HasAttribute("disabled"));

        page.Find("#next-page").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-cluster=second-page]")));
        Assert.Equal("cursor-2", Query(Lists(api)[^1])["continue"]);
        Assert.Empty(page.FindAll("tr[data-cluster=first-page]"));
        Assert.True(page.Find("#next-page").HasAttribute("disabled"));
        Assert.False(page.Find("#previous-page").HasAttribute("disabled"));

        page.Find("#previous-page").Click();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-cluster=first-page]")));
        Assert.Null(Query(Lists(api)[^1])["continue"]);
        Assert.Empty(page.FindAll("[role=alert]"));
    }

    [Fact]
    public void Filters_go_to_the_api_as_its_phase_and_label_selector_and_start_again_from_the_first_page()
    {
        var api = FakeApi.AddTo(this);
        api.On(HttpMethod.Get, ListPath, request => Query(request)["labelSelector"] is null
            ? Page("cursor-2", Samples.Cluster("unfiltered"))
            : Page(null, Samples.Cluster("prod-ready")));
        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-cluster=unfiltered]")));
        page.Find("#next-page").Click();
        page.WaitForAssertion(() => Assert.Equal("cursor-2", Query(Lists(api)[^1])["continue"]));

        page.Find("#phase-filter").Change("Ready");
        page.Find("#label-selector").Change("  env=prod,tier in (a,b) ");
        page.Find("form.filters").Submit();

        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-cluster=prod-ready]")));
        var filtered = Query(Lists(api)[^1]);
        Assert.Equal("Ready", filtered["phase"]);
        Assert.Equal("env=prod,tier in (a,b)", filtered["labelSelector"]);
        Assert.Null(filtered["continue"]);
        Assert.True(page.Find("#previous-page").HasAttribute("disabled"));
    }

    [Fact]
    public void A_refused_selector_is_shown_with_its_request_id_and_the_rows_already_shown_stay()
    {
        var api = FakeApi.AddTo(this);
        api.On(HttpMethod.Get, ListPath, request => Query(request)["labelSelector"] is null
            ? Page(null, Samples.Cluster("kept"))
            : FakeApi.Problem(HttpStatusCode.BadRequest, "invalid-label-selector", "Invalid label selector", "'env in' is not a label selector", "req-selector"));
        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Single(page.FindAll("tr[data-cluster=kept]")));

        page.Find("#label-selector").Change("env in");
        page.Find("form.filters").Submit();

        page.WaitForAssertion(() => Assert.Contains("req-selector", page.Find("[role=alert]").TextContent, StringComparison.Ordinal));
        Assert.Contains("'env in' is not a label selector", page.Find("[role=alert]").TextContent, StringComparison.Ordinal);
        Assert.Equal("env in", page.Find("#label-selector").GetAttribute("value"));
    }

    [Fact]
    public void A_cluster_that_becomes_ready_shows_as_ready_by_the_next_poll_without_a_reload()
    {
        var api = FakeApi.AddTo(this, refreshInterval: TimeSpan.FromMilliseconds(50));
        var provisioning = Samples.Cluster("moving", phase: Phases.Provisioning);
        api.On(HttpMethod.Get, ListPath, _ => Page(null, provisioning));
        var page = Render<Clusters>();
        page.WaitForAssertion(() => Assert.Contains(Phases.Provisioning, page.Find("tr[data-cluster=moving]").TextContent, StringComparison.Ordinal));

        api.On(HttpMethod.Get, ListPath, _ => Page(null, provisioning with { Status = provisioning.Status with { Phase = Phases.Ready } }));

        page.WaitForAssertion(() => Assert.Contains(Phases.Ready, page.Find("tr[data-cluster=moving]").TextContent, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
        Assert.True(Lists(api).Count >= 2);
    }
}
