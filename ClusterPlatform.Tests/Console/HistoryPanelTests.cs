using System.Net;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.Tests.Console;

/// <summary>The History tab: read on request, every page of the audit trail, and a refusal.</summary>
public sealed class HistoryPanelTests : ConsoleApiComponentContext
{
    private readonly Guid clusterId = Guid.CreateVersion7();

    [Fact]
    public void Nothing_is_read_until_asked_and_then_every_page_is_shown()
    {
        var entries = Enumerable.Range(1, 700).Select(i => new AuditEntry(i, clusterId, null, i == 1 ? "create" : "update", "ada", i, null, Samples.Now.AddSeconds(i))).ToList();
        Api.On(HttpMethod.Get, $"/api/v1/clusters/{clusterId}/audit", request => request.RequestUri!.Query.Contains("continue=p2", StringComparison.Ordinal)
            ? FakeApi.Body(new AuditList("AuditList", entries[500..], null))
            : FakeApi.Body(new AuditList("AuditList", entries[..500], "p2")));

        var panel = Render<HistoryPanel>(p => p.Add(h => h.ClusterId, clusterId));
        Assert.Empty(Api.Received);
        Assert.Empty(panel.FindAll("#history"));

        panel.Find("#load-history").Click();

        panel.WaitForAssertion(() => Assert.Equal(700, panel.FindAll("#history tbody tr").Count));
        Assert.Equal("create", panel.Find("#history tbody tr td:nth-child(2)").TextContent);
        Assert.Equal(2, Api.Received.Count);
    }

    [Fact]
    public void A_refusal_is_shown_with_its_title_detail_and_request_id()
    {
        Api.On(HttpMethod.Get, $"/api/v1/clusters/{clusterId}/audit", _ => FakeApi.Problem(HttpStatusCode.TooManyRequests, "rate-limited", "Too many requests", "Try again in 3 seconds", "req-aud-9"));
        var panel = Render<HistoryPanel>(p => p.Add(h => h.ClusterId, clusterId));

        panel.Find("#load-history").Click();

        panel.WaitForAssertion(() =>
        {
            var alert = panel.Find("[role=alert]");
            Assert.Contains("Too many requests:", alert.OuterHtml, StringComparison.Ordinal);
            Assert.Contains("Try again in 3 seconds", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("req-aud-9", alert.TextContent, StringComparison.Ordinal);
        });
        Assert.Empty(panel.FindAll("#history"));
    }
}
