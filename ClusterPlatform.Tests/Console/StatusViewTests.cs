using Bunit;
using ClusterPlatform.Client;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.FluentUI.AspNetCore.Components;
using Models = ClusterPlatform.Client.Models;

namespace ClusterPlatform.Tests.Console;

/// <summary>The cluster detail's read-only views: conditions, the controllers' reports and timeline, and how a problem reads.</summary>
public sealed class StatusViewTests : ConsoleComponentContext
{

    [Fact]
    public void No_conditions_says_none_reported_yet()
    {
        var list = Render<ConditionList>(p => p.Add(c => c.Conditions, []));

        Assert.Contains("No conditions reported yet.", list.Markup, StringComparison.Ordinal);
        Assert.Empty(list.FindAll("table"));
    }

    [Fact]
    public void Conditions_are_rows_coloured_by_meaning_not_by_word()
    {
        var conditions = Enumerable.Range(0, 30).Select(i => Samples.Condition($"Extra{i}", "Unknown"))
            .Append(Samples.Condition("Ready", "False", "WaitingForNodes", "0 of 3 nodes joined"))
            .Append(Samples.Condition("Degraded", "False"))
            .Append(Samples.Condition("Available", "True"))
            .ToList();

        var list = Render<ConditionList>(p => p.Add(c => c.Conditions, Wire.All<Models.Condition>(conditions)).Add(c => c.Label, "Cluster conditions"));

        Assert.Equal("Cluster conditions", list.Find("table").GetAttribute("aria-label"));
        Assert.Equal(33, list.FindAll("tbody tr").Count);
        var ready = list.Find("tr[data-condition=Ready]").QuerySelectorAll("td").Select(c => c.TextContent).ToList();
        Assert.Equal(["Ready", "False", "WaitingForNodes", "0 of 3 nodes joined"], ready[..4]);
        Assert.Equal("status-bad", list.Find("tr[data-condition=Ready] td:nth-child(2)").ClassName);
        Assert.Equal("status-good", list.Find("tr[data-condition=Available] td:nth-child(2)").ClassName);
        Assert.True(string.IsNullOrEmpty(list.Find("tr[data-condition=Degraded] td:nth-child(2)").ClassName));
    }

    [Fact]
    public void No_report_yet_says_so_and_shows_no_timeline()
    {
        var timeline = Render<ControllerTimeline>(p => p.Add(t => t.Latest, []).Add(t => t.Reports, new Dictionary<(string, long), Models.ControllerStatus>()));

        Assert.Contains("No controller has reported yet.", timeline.Find("#no-reports").TextContent, StringComparison.Ordinal);
        Assert.Empty(timeline.FindAll("#timeline"));
    }

    [Fact]
    public void Every_controller_has_its_section_and_every_report_seen_is_in_the_timeline_newest_first()
    {
        Models.ControllerStatus Report(string name, long version) => Wire.As<Models.ControllerStatus>(new ControllerStatus(name, 1, version,
            Samples.Now.AddSeconds(version * 10 + name.Length), [Samples.Condition("Ready", version == 3 ? "True" : "False", version == 3 ? "" : "Reconciling")], null));
        var seen = new[] { ControllerNames.Placement, ControllerNames.DnsManagement, ControllerNames.OperatorClient }
            .SelectMany(n => Enumerable.Range(1, 3).Select(v => Report(n, v))).ToDictionary(r => (WireEnum.Name(r.Name), r.Version!.Value));
        var latest = seen.Values.Where(r => r.Version == 3).ToList();

        var timeline = Render<ControllerTimeline>(p => p.Add(t => t.Latest, latest).Add(t => t.Reports, seen));

        Assert.Equal([ControllerNames.DnsManagement, ControllerNames.OperatorClient, ControllerNames.Placement], timeline.FindAll("section[data-controller] h3").Select(h => h.TextContent));
        var entries = timeline.FindAll("#timeline li").Select(li => li.TextContent.Replace("\n", " ", StringComparison.Ordinal)).ToList();
        Assert.Equal(9, entries.Count);
        Assert.Contains("operator-client-controller report 3: Ready=True", string.Join(' ', entries[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.Contains("placement-controller report 1: Ready=False (Reconciling)", string.Join(' ', entries[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_reads_as_title_detail_and_request_id_and_nothing_shows_without_one()
    {
        Assert.Empty(Render<ProblemMessage>(p => p.Add(m => m.Problem, null)).FindAll("[role=alert]"));

        var problem = new ApiProblemException(409, "cluster-not-ready", "Cluster not ready", "Credentials are issued once the cluster is Ready",
            new Dictionary<string, string[]>(), [], "req-9");
        var alert = Render<ProblemMessage>(p => p.Add(m => m.Problem, problem)).Find("[role=alert]");

        Assert.Contains("Cluster not ready:", alert.OuterHtml, StringComparison.Ordinal);
        Assert.Equal("Credentials are issued once the cluster is Ready.", alert.QuerySelector(".problem-detail")!.TextContent);
        Assert.Equal("req-9", alert.QuerySelector(".request-id code")!.TextContent);
    }
}
