using System.Net;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.FluentUI.AspNetCore.Components;
using Models = ClusterPlatform.Client.Models;

namespace ClusterPlatform.Tests.Console;

/// <summary>The Upgrades tab: loading, nothing to upgrade to, many targets, and a refusal with the targets the Api allows.</summary>
public sealed class UpgradePanelTests : ConsoleApiComponentContext
{
    private readonly Cluster cluster = Samples.Cluster(current: "4.22.2", desired: "4.22.2");

    [Fact]
    public void Before_the_list_arrives_it_says_loading()
    {
        var panel = Render<UpgradePanel>(p => p.Add(u => u.Cluster, Wire.As<Models.Cluster>(cluster)).Add(u => u.Upgrades, null));

        Assert.Contains("Loading upgrades", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("#upgrades"));
    }

    [Fact]
    public void No_target_says_so_and_names_the_running_version()
    {
        var panel = Render<UpgradePanel>(p => p.Add(u => u.Cluster, Wire.As<Models.Cluster>(cluster)).Add(u => u.Upgrades, Wire.As<Models.ClusterUpgradeList>(new ClusterUpgradeList("ClusterUpgradeList", "4.22.2", "stable", []))));

        Assert.Equal("4.22.2", panel.Find("#upgrade-current").TextContent);
        Assert.Contains("No upgrade is available now.", panel.Find("#no-upgrades").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Many_targets_are_listed_each_with_its_type()
    {
        var targets = Enumerable.Range(3, 40).Select(z => new ClusterUpgrade($"4.22.{z}", z % 2 == 0 ? "patch" : "minor", "quay.io/x")).ToList();

        var panel = Render<UpgradePanel>(p => p.Add(u => u.Cluster, Wire.As<Models.Cluster>(cluster)).Add(u => u.Upgrades, Wire.As<Models.ClusterUpgradeList>(new ClusterUpgradeList("ClusterUpgradeList", "4.22.2", "stable", targets))));

        var items = panel.FindAll("#upgrades li");
        Assert.Equal(40, items.Count);
        Assert.Equal("4.22.10", items[7].GetAttribute("data-version"));
        Assert.Contains("(patch)", items[7].TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_upgrade_shows_the_problem_and_the_targets_allowed_now()
    {
        Api.On(HttpMethod.Patch, $"/api/v1/clusters/{cluster.Id}", _ =>
        {
            var refusal = FakeApi.Problem(HttpStatusCode.UnprocessableEntity, "version-not-an-upgrade", "Not an upgrade", "4.22.2 cannot go to 4.22.9 directly", "req-up-1");
            var body = System.Text.Json.Nodes.JsonNode.Parse(refusal.Content.ReadAsStringAsync().Result)!;
            body["allowedTargets"] = new System.Text.Json.Nodes.JsonArray("4.22.3");
            refusal.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/problem+json");
            return refusal;
        });
        var upgrades = new ClusterUpgradeList("ClusterUpgradeList", "4.22.2", "stable", [new ClusterUpgrade("4.22.9", "patch", "quay.io/x")]);
        var panel = Render<UpgradePanel>(p => p.Add(u => u.Cluster, Wire.As<Models.Cluster>(cluster)).Add(u => u.Upgrades, Wire.As<Models.ClusterUpgradeList>(upgrades)));

        panel.Find("[id='upgrade-4.22.9']").Click();
        Assert.Contains("Upgrade prod-1 to 4.22.9?", panel.Find("#upgrade-dialog").TextContent, StringComparison.Ordinal);
        panel.Find("#confirm-upgrade").Click();

        panel.WaitForAssertion(() =>
        {
            var alert = panel.Find("[role=alert]");
            Assert.Contains("Not an upgrade:", alert.OuterHtml, StringComparison.Ordinal);
            Assert.Contains("4.22.2 cannot go to 4.22.9 directly", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("req-up-1", alert.TextContent, StringComparison.Ordinal);
        });
        Assert.Contains("Allowed now: 4.22.3", panel.Markup, StringComparison.Ordinal);
    }
}
