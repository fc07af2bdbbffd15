using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;
using Models = ClusterPlatform.Client.Models;

namespace ClusterPlatform.Tests.Console;

/// <summary>The clusters list's states, rendered by bUnit: loading, empty, filtered empty, an Api error, and many clusters.</summary>
public sealed class ClusterTableTests : ConsoleComponentContext
{
    private static readonly DateTime Now = new(2026, 12, 2, 12, 0, 0, DateTimeKind.Utc);


    [Fact]
    public void Before_the_first_page_it_shows_loading_and_no_table()
    {
        var table = Render<ClusterTable>(p => p.Add(t => t.Items, null));

        Assert.Contains("Loading clusters", table.Find(".loading").TextContent, StringComparison.Ordinal);
        Assert.Empty(table.FindAll("table"));
        Assert.Empty(table.FindAll("[role=alert]"));
    }

    [Fact]
    public void No_clusters_offers_the_create_form_and_says_whether_filters_hid_them()
    {
        var empty = Render<ClusterTable>(p => p.Add(t => t.Items, []));
        Assert.Contains("No clusters yet.", empty.Find("#no-clusters").TextContent, StringComparison.Ordinal);
        Assert.Equal("/clusters/new", empty.Find("#no-clusters fluent-anchor").GetAttribute("href"));

        var filtered = Render<ClusterTable>(p => p.Add(t => t.Items, []).Add(t => t.Filtered, true));
        Assert.Contains("No cluster matches these filters.", filtered.Find("#no-clusters").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void An_Api_problem_is_shown_with_its_message_and_request_id_and_the_rows_shown_before_stay()
    {
        var problem = new ApiProblemException(400, "invalid-label-selector", "Invalid label selector", "'env in' is not a label selector",
            new Dictionary<string, string[]>(), [], "req-42");

        var first = Render<ClusterTable>(p => p.Add(t => t.Items, null).Add(t => t.Problem, problem));
        var alert = first.Find("[role=alert]");
        Assert.Contains("Invalid label selector", alert.OuterHtml, StringComparison.Ordinal);
        Assert.Contains("'env in' is not a label selector", alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("req-42", alert.TextContent, StringComparison.Ordinal);
        Assert.Empty(first.FindAll(".loading"));

        var later = Render<ClusterTable>(p => p.Add(t => t.Items, [Wire.As<Models.Cluster>(NewCluster("kept", Phases.Ready))]).Add(t => t.Problem, problem));
        Assert.Single(later.FindAll("tr[data-cluster=kept]"));
        Assert.Single(later.FindAll("[role=alert]"));
    }

    [Fact]
    public void Many_clusters_are_rows_with_name_link_phase_version_region_age_and_sorted_labels()
    {
        var clusters = Enumerable.Range(0, 250)
            .Select(i => NewCluster($"c-{i:000}", Phases.All[i % Phases.All.Count], createdAt: Now.AddHours(-i)))
            .ToList();

        var table = Render<ClusterTable>(p => p.Add(t => t.Items, Wire.All<Models.Cluster>(clusters)).Add(t => t.Now, Now));

        var rows = table.FindAll("tbody tr");
        Assert.Equal(250, rows.Count);
        var row = table.Find("tr[data-cluster=c-030]");
        var cells = row.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("c-030", cells[0]);
        Assert.Equal($"/clusters/{clusters[30].Id}", row.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(Phases.All[30 % Phases.All.Count], row.QuerySelector("[data-phase]")!.GetAttribute("data-phase"));
        Assert.Equal("4.22.2 → 4.22.3", cells[2]);
        Assert.Equal("us-central1", cells[3]);
        Assert.Equal("1d", cells[4]);
        Assert.Equal(["env=prod", "team=sre"], row.QuerySelectorAll(".label-chip").Select(c => c.TextContent));
    }

    private static Cluster NewCluster(string name, string phase, DateTime? createdAt = null) => new(
        "Cluster", Guid.CreateVersion7(), "/api/v1/clusters/x", name, "acme",
        new Dictionary<string, string> { ["team"] = "sre", ["env"] = "prod" },
        new ClusterSpec(new GcpSpec("acme-prod-123", "us-central1", "n", "i", "s"), new ReleaseSpec("4.22.3", "stable"),
            new NetworkingSpec("10.0.0.0/16", "10.128.0.0/14", "172.30.0.0/16"), new DnsSpec("acme.example.com"), null),
        1, createdAt ?? Now, createdAt ?? Now, "ada", null,
        new ResourceStatus(phase, 1, [], [], new VersionStatus("4.22.2", "4.22.3", [])));
}
