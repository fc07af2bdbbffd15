using System.Net;
using System.Text.Json;
using Bunit;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Components.Shared;
using Microsoft.FluentUI.AspNetCore.Components;
using Models = ClusterPlatform.Client.Models;

namespace ClusterPlatform.Tests.Console;

/// <summary>The Access tab's states over a real ConsoleApi and a fake Api: loading, no credentials, many, a refusal, and a request in progress.</summary>
public sealed class AccessPanelTests : ConsoleApiComponentContext
{
    private readonly Cluster cluster = Samples.Cluster();

    private string CredentialsPath => $"/api/v1/clusters/{cluster.Id}/credentials";

    [Fact]
    public void While_the_list_is_being_read_it_shows_neither_a_table_nor_the_empty_message()
    {
        var answer = new TaskCompletionSource<HttpResponseMessage>();
        Api.On(HttpMethod.Get, CredentialsPath, _ => answer.Task);

        var panel = Render<AccessPanel>(p => p.Add(a => a.Cluster, Wire.As<Models.Cluster>(cluster)));

        Assert.Empty(panel.FindAll("#credentials"));
        Assert.Empty(panel.FindAll("#no-credentials"));
        answer.SetResult(FakeApi.Body(new CredentialList("CredentialList", [])));
        panel.WaitForAssertion(() => Assert.Contains("No credentials requested.", panel.Find("#no-credentials").TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public void Many_credentials_are_rows_with_status_subject_requester_and_expiry_and_the_request_carries_the_users_token()
    {
        var items = Enumerable.Range(0, 100)
            .Select(i => Samples.Credential(cluster.Id, i == 3 ? CredentialStates.Failed : CredentialStates.Revoked, i, i == 3 ? "the CSR's key is too short" : null))
            .ToList();
        Api.On(HttpMethod.Get, CredentialsPath, _ => FakeApi.Body(new CredentialList("CredentialList", items)));

        var panel = Render<AccessPanel>(p => p.Add(a => a.Cluster, Wire.As<Models.Cluster>(cluster)));

        panel.WaitForAssertion(() => Assert.Equal(100, panel.FindAll("#credentials tbody tr").Count));
        var failed = panel.Find($"tr[data-credential='{items[3].Id}']").QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToList();
        Assert.Equal("Failed: the CSR's key is too short", failed[0]);
        Assert.Equal(items[3].Subject, failed[1]);
        Assert.Equal("ada", failed[2]);
        Assert.Equal(items[3].ExpiresAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture), failed[3]);
        Assert.Equal("test-token", Api.Received[0].Headers.Authorization!.Parameter);
    }

    [Fact]
    public void A_refusal_is_shown_with_its_title_detail_and_request_id()
    {
        Api.On(HttpMethod.Get, CredentialsPath, _ => FakeApi.Problem(HttpStatusCode.Forbidden, "forbidden", "Forbidden",
            "Only members of the cluster's organization read its credentials", "req-cred-7"));

        var panel = Render<AccessPanel>(p => p.Add(a => a.Cluster, Wire.As<Models.Cluster>(cluster)));

        panel.WaitForAssertion(() =>
        {
            var alert = panel.Find("[role=alert]");
            Assert.Contains("Forbidden:", alert.OuterHtml, StringComparison.Ordinal);
            Assert.Contains("Only members of the cluster's organization read its credentials", alert.TextContent, StringComparison.Ordinal);
            Assert.Contains("req-cred-7", alert.TextContent, StringComparison.Ordinal);
        });
        Assert.Empty(panel.FindAll("#credentials"));
    }

    [Fact]
    public void A_request_in_progress_disables_the_button_and_its_answer_adds_the_pending_credential()
    {
        var listed = new List<Credential>();
        Api.On(HttpMethod.Get, CredentialsPath, _ => FakeApi.Body(new CredentialList("CredentialList", [.. listed])));
        Api.On(HttpMethod.Post, CredentialsPath, request =>
        {
            var sent = JsonDocument.Parse(request.Content!.ReadAsStringAsync().Result).RootElement;
            var made = Samples.Credential(cluster.Id, CredentialStates.Pending) with { Subject = "system:customer-break-glass:ada" };
            Assert.Equal("CSR-PEM", sent.GetProperty("csr").GetString());
            Assert.Equal("PT8H", sent.GetProperty("ttl").GetString());
            listed.Add(made);
            return FakeApi.Body(made, HttpStatusCode.Accepted);
        });
        var csr = JSInterop.SetupModule("./credentials.js").Setup<AccessPanel.MadeCsr>("createCsr", _ => true);
        var panel = Render<AccessPanel>(p => p.Add(a => a.Cluster, Wire.As<Models.Cluster>(cluster)));
        panel.WaitForAssertion(() => panel.Find("#no-credentials"));

        panel.Find("#request-credential").Click();

        panel.WaitForAssertion(() => Assert.True(panel.Find("#request-credential").HasAttribute("disabled")));
        csr.SetResult(new AccessPanel.MadeCsr("key-1", "CSR-PEM"));
        panel.WaitForAssertion(() => Assert.Equal("Pending", panel.Find("#credentials tbody tr").GetAttribute("data-status")));
        Assert.False(panel.Find("#request-credential").HasAttribute("disabled"));
        Assert.Contains(Api.Received, r => r.Method == HttpMethod.Post);
    }

    [Fact]
    public void A_cluster_that_is_not_Ready_offers_no_request()
    {
        var provisioning = cluster with { Status = cluster.Status with { Phase = Phases.Provisioning } };
        Api.On(HttpMethod.Get, CredentialsPath, _ => FakeApi.Body(new CredentialList("CredentialList", [])));

        var panel = Render<AccessPanel>(p => p.Add(a => a.Cluster, Wire.As<Models.Cluster>(provisioning)));

        panel.WaitForAssertion(() => panel.Find("#no-credentials"));
        Assert.True(panel.Find("#request-credential").HasAttribute("disabled"));
    }
}
