extern alias controllers;

using System.Text.Json.Nodes;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// HostedClusterUrls against HyperShift's rules (openshift/hypershift@3ee9615567acffaf3e3ee25c2ca2942d650565cf):
/// the API URL from status.controlPlaneEndpoint, the console from support/globalconfig/ingress.go IngressDomain
/// and dns.go BaseDomain, none when the Console capability is disabled.
/// </summary>
public sealed class HostedClusterUrlsTests
{
    [Theory]
    [InlineData("api.alpha.acme.example.com", 443, "https://api.alpha.acme.example.com")]
    [InlineData("api.alpha.acme.example.com", 6443, "https://api.alpha.acme.example.com:6443")]
    [InlineData("10.0.0.7", 6443, "https://10.0.0.7:6443")]
    [InlineData("fd00::7", 6443, "https://[fd00::7]:6443")]
    public void The_api_url_is_the_published_endpoint(string host, int port, string url) =>
        Assert.Equal(url, HostedClusterUrls.Api(new ControlPlaneEndpoint(host, port)));

    [Fact]
    public void No_api_url_without_a_published_host_and_port()
    {
        Assert.Null(HostedClusterUrls.Api(null));
        Assert.Null(HostedClusterUrls.Api(new ControlPlaneEndpoint("api.alpha.acme.example.com", 0)));
    }

    [Theory]
    [InlineData("""{"dns":{"baseDomain":"acme.example.com"}}""", "https://console-openshift-console.apps.alpha.acme.example.com")]
    [InlineData("""{"dns":{"baseDomain":"acme.example.com","baseDomainPrefix":"shop"}}""", "https://console-openshift-console.apps.shop.acme.example.com")]
    [InlineData("""{"dns":{"baseDomain":"acme.example.com","baseDomainPrefix":""}}""", "https://console-openshift-console.apps.acme.example.com")]
    [InlineData("""{"dns":{"baseDomain":"acme.example.com"},"configuration":{"ingress":{"domain":"ingress.acme.example.com"}}}""",
        "https://console-openshift-console.ingress.acme.example.com")]
    [InlineData("""{"dns":{"baseDomain":"acme.example.com"},"configuration":{"ingress":{"domain":"ingress.acme.example.com","appsDomain":"run.acme.example.com"}}}""",
        "https://console-openshift-console.run.acme.example.com")]
    [InlineData("""{"dns":{"baseDomain":"acme.example.com"},"capabilities":{"disabled":["ImageRegistry","Console"]}}""", null)]
    [InlineData("""{"dns":{}}""", null)]
    public void The_console_follows_hypershifts_apps_domain(string spec, string? url) =>
        Assert.Equal(url, HostedClusterUrls.Console(new JsonObject { ["metadata"] = new JsonObject { ["name"] = "alpha" }, ["spec"] = JsonNode.Parse(spec) }));
}
