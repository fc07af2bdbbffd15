using Bunit;
using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.Components.Pages;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Console;

/// <summary>
/// The create form against a fake Api: the version picker comes from the catalog (enabled versions only),
/// the region picker from the platform's settings, and a 400's field errors land next to their fields (an
/// error for a field the form does not have is listed apart) while every value typed stays.
/// </summary>
public sealed class CreateClusterPageTests : ConsoleApiComponentContext
{
    public CreateClusterPageTests()
    {
        Services.Configure<PlatformSettings>(s => s.SupportedRegions = ["us-central1", "europe-west4"]);
        Api.On(HttpMethod.Get, "/api/v1/versions", _ => FakeApi.Body(new ResourceList<OpenShiftVersion>("OpenShiftVersionList",
        [
            new("4.22.3", "stable", true, true, null, "quay.io/openshift-release-dev/ocp-release@sha256:" + new string('a', 64)),
            new("4.22.2", "stable", true, false, null, "quay.io/openshift-release-dev/ocp-release@sha256:" + new string('b', 64)),
            new("4.21.9", "stable", false, false, null, "quay.io/openshift-release-dev/ocp-release@sha256:" + new string('c', 64)),
        ], null)));
    }

    [Fact]
    public void The_pickers_offer_the_enabled_versions_and_the_configured_regions()
    {
        var page = Render<CreateCluster>();

        page.WaitForAssertion(() => Assert.Equal(["4.22.3", "4.22.2"], page.FindAll("#version option").Select(o => o.GetAttribute("value"))));
        Assert.Equal(["us-central1", "europe-west4"], page.FindAll("#region option").Select(o => o.GetAttribute("value")));
    }

    [Fact]
    public void A_validation_error_is_shown_on_its_fields_and_nothing_typed_is_lost()
    {
        Api.On(HttpMethod.Post, "/api/v1/clusters", _ => FakeApi.Problem(HttpStatusCode.BadRequest, "validation-failed", "The request is not valid", null, "req-400",
            new Dictionary<string, string[]>
            {
                ["$.name"] = ["must be a DNS label"],
                ["$.spec.gcp.projectId"] = ["must be 6 to 30 characters"],
                ["$.spec.networking.podCidr"] = ["overlaps the machine CIDR"],
            }));
        var page = Render<CreateCluster>();
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("#version option")));

        page.Find("#cluster-name").Input("Bad_Name");
        page.Find("#project-id").Input("p");
        page.Find("#base-domain").Input("acme.example.com");
        page.Find("#labels").Input("env=prod");
        page.Find("#submit-create").Click();

        page.WaitForAssertion(() => Assert.Contains("must be a DNS label", page.Find("#cluster-name-errors").TextContent, StringComparison.Ordinal));
        Assert.Contains("must be 6 to 30 characters", page.Find("#project-id-errors").TextContent, StringComparison.Ordinal);
        Assert.Contains("overlaps the machine CIDR", page.Find("#other-errors").TextContent, StringComparison.Ordinal);
        Assert.Contains("req-400", page.Find(".request-id").TextContent, StringComparison.Ordinal);
        Assert.Equal("Bad_Name", page.Find("#cluster-name").GetAttribute("value"));
        Assert.Equal("p", page.Find("#project-id").GetAttribute("value"));
        Assert.Equal("env=prod", page.Find("#labels").GetAttribute("value"));
        Assert.EndsWith("/", Services.GetRequiredService<NavigationManager>().Uri, StringComparison.Ordinal); // still on the form
        Assert.Single(Api.Received, r => r.Method == HttpMethod.Post);
    }
}
