using System.Net;
using System.Security.Claims;
using ClusterPlatform.Contracts;
using ClusterPlatform.WebConsole.Api;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Models = ClusterPlatform.Client.Models;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// What ConsoleApi puts on the wire through the generated client and what it makes of the answers: the
/// signed-in user's token on every request and a fresh Idempotency-Key on each create, an outage (no
/// answer, or a 502/503/504 whatever its body) recorded for the banner and cleared by the next answer,
/// a refusal's field errors by JSON path, and signed-out as the console's own 401 with nothing sent.
/// </summary>
public sealed class ConsoleApiTests : ConsoleApiComponentContext
{
    private ConsoleApi Console => Services.GetRequiredService<ConsoleApi>();

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_request_carries_the_users_token_and_each_create_a_fresh_Idempotency_Key()
    {
        var cluster = Samples.Cluster();
        Api.On(HttpMethod.Post, "/api/v1/clusters", _ => FakeApi.Body(cluster, HttpStatusCode.Created, "\"1\""));
        Api.On(HttpMethod.Post, "/api/v1/nodepools", _ => FakeApi.Body(new { kind = "NodePool", id = Guid.CreateVersion7(), name = "workers" }, HttpStatusCode.Created, "\"1\""));
        Api.On(HttpMethod.Get, $"/api/v1/clusters/{cluster.Id}", _ => FakeApi.Body(cluster, etag: "\"1\""));

        await Console.CreateClusterAsync(new Models.ClusterCreateRequest { Name = "prod-1" }, Ct);
        await Console.CreateClusterAsync(new Models.ClusterCreateRequest { Name = "prod-1" }, Ct);
        await Console.CreateNodePoolAsync(new Models.NodePoolCreateRequest { ClusterId = cluster.Id, Name = "workers" }, Ct);
        await Console.GetClusterAsync(cluster.Id, Ct);

        Assert.All(Api.Received, r => Assert.Equal(("Bearer", "test-token"), (r.Headers.Authorization?.Scheme, r.Headers.Authorization?.Parameter)));
        var keys = Api.Received.Where(r => r.Method == HttpMethod.Post).Select(r => r.Headers.GetValues("Idempotency-Key").Single()).ToList();
        Assert.Equal(3, keys.Distinct(StringComparer.Ordinal).Count());
        Assert.False(Api.Received.Single(r => r.Method == HttpMethod.Get).Headers.Contains("Idempotency-Key"));
    }

    [Theory]
    [InlineData(HttpStatusCode.BadGateway, "Bad Gateway")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "Service Unavailable")]
    [InlineData(HttpStatusCode.GatewayTimeout, "Gateway Timeout")]
    public async Task A_proxys_error_page_is_an_outage_with_its_status_and_request_id_until_the_next_answer(HttpStatusCode status, string title)
    {
        var down = true;
        Api.On(HttpMethod.Get, "/api/v1/management-clusters", _ =>
        {
            if (!down)
            {
                return FakeApi.Body(new ManagementClusterList("ManagementClusterList", []));
            }

            return FakeApi.HtmlPage(status, "req-proxy");
        });
        var connection = Services.GetRequiredService<ApiConnection>();

        var outage = await Assert.ThrowsAsync<ApiProblemException>(() => Console.ListManagementClustersAsync(Ct));

        Assert.Equal(((int)status, title, "req-proxy"), (outage.Status, outage.Title, outage.RequestId));
        Assert.True(outage.IsOutage);
        Assert.Same(outage, connection.Outage);
        down = false;
        await Console.ListManagementClustersAsync(Ct);
        Assert.Null(connection.Outage);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "Forbidden")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "Payload Too Large")]
    public async Task An_ingresss_html_refusal_is_a_readable_refusal_with_its_status_and_no_html_and_not_an_outage(HttpStatusCode status, string title)
    {
        const string html = "<!DOCTYPE html><html><head><title>Error</title></head><body><h1>Request refused by the load balancer</h1><script>x()</script></body></html>";
        Api.On(HttpMethod.Post, "/api/v1/clusters", _ => FakeApi.HtmlPage(status, "req-edge", html));
        var connection = Services.GetRequiredService<ApiConnection>();

        var refusal = await Assert.ThrowsAsync<ApiProblemException>(() => Console.CreateClusterAsync(new Models.ClusterCreateRequest { Name = "prod-1" }, Ct));

        Assert.Equal(((int)status, "req-edge"), (refusal.Status, refusal.RequestId));
        Assert.Equal(title, refusal.Title);
        foreach (var shown in new[] { refusal.Title, refusal.Detail ?? "", refusal.Message })
        {
            Assert.DoesNotContain("<", shown, StringComparison.Ordinal);
            Assert.DoesNotContain("load balancer", shown, StringComparison.Ordinal);
        }

        Assert.Empty(refusal.Errors);
        Assert.False(refusal.IsOutage);
        Assert.Null(connection.Outage);
    }

    [Fact]
    public async Task No_answer_at_all_is_an_outage_and_a_refusal_is_not()
    {
        var refuse = false;
        Api.On(HttpMethod.Get, "/api/v1/management-clusters", _ => refuse
            ? FakeApi.Problem(HttpStatusCode.Forbidden, "forbidden", "Forbidden", "Admins only", "req-403")
            : throw new HttpRequestException("Connection refused (api:80)"));
        var connection = Services.GetRequiredService<ApiConnection>();

        var unreachable = await Assert.ThrowsAsync<ApiProblemException>(() => Console.ListManagementClustersAsync(Ct));
        Assert.Equal(0, unreachable.Status);
        Assert.Contains("Connection refused", unreachable.Detail, StringComparison.Ordinal);
        Assert.Same(unreachable, connection.Outage);

        refuse = true;
        var refusal = await Assert.ThrowsAsync<ApiProblemException>(() => Console.ListManagementClustersAsync(Ct));
        Assert.Equal((403, "forbidden", "Forbidden", "Admins only", "req-403"), (refusal.Status, refusal.Code, refusal.Title, refusal.Detail, refusal.RequestId));
        Assert.False(refusal.IsOutage);
        Assert.Null(connection.Outage);
    }

    [Fact]
    public async Task A_422_keeps_its_field_errors_though_the_document_declares_none_for_it()
    {
        // docs/api.md, Errors: 422 version-not-enabled lists the enabled versions in `errors`.
        Api.On(HttpMethod.Post, "/api/v1/clusters", _ => FakeApi.Problem(HttpStatusCode.UnprocessableEntity, "version-not-enabled", "Version not enabled",
            "4.21.9 is not enabled in stable", "req-422", new Dictionary<string, string[]> { ["$.spec.release.version"] = ["enabled: 4.22.2, 4.22.3"] }));

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => Console.CreateClusterAsync(new Models.ClusterCreateRequest { Name = "prod-1" }, Ct));

        Assert.Equal((422, "version-not-enabled", "req-422"), (problem.Status, problem.Code, problem.RequestId));
        Assert.Equal(["enabled: 4.22.2, 4.22.3"], problem.Errors["$.spec.release.version"]);
    }

    [Fact]
    public async Task Signed_out_is_the_consoles_401_and_sends_nothing()
    {
        var api = new FakeApi();
        var signedOut = new ConsoleApi(api.Client(), new Anonymous(), new ApiConnection());

        var problem = await Assert.ThrowsAsync<ApiProblemException>(() => signedOut.ListManagementClustersAsync(Ct));

        Assert.Equal((401, "You are signed out"), (problem.Status, problem.Title));
        Assert.Empty(api.Received);
    }

    [Fact]
    public async Task The_token_goes_to_the_Apis_host_only()
    {
        var tokens = new SignedInUserTokenProvider(Services.GetRequiredService<AuthenticationStateProvider>(), new Uri("http://api"));

        Assert.Equal("test-token", await tokens.GetAuthorizationTokenAsync(new Uri("http://api/api/v1/clusters"), cancellationToken: Ct));
        Assert.Equal("", await tokens.GetAuthorizationTokenAsync(new Uri("https://elsewhere.example/api/v1/clusters"), cancellationToken: Ct));
    }

    private sealed class Anonymous : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity())));
    }
}
