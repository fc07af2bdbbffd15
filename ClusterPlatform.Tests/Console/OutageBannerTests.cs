using Bunit;
using ClusterPlatform.WebConsole.Api;
using ClusterPlatform.WebConsole.Components.Layout;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.FluentUI.AspNetCore.Components;

namespace ClusterPlatform.Tests.Console;

/// <summary>The layout's outage banner follows the session's <see cref="ApiConnection"/>: shown while the Api does not answer, gone with its next answer.</summary>
public sealed class OutageBannerTests : ConsoleComponentContext
{
    public OutageBannerTests()
    {
        Services.AddScoped<ApiConnection>();
        AddAuthorization().SetAuthorized("ada").SetRoles("user");
    }

    [Fact]
    public void An_outage_shows_the_banner_until_the_Api_answers_again()
    {
        var connection = Services.GetRequiredService<ApiConnection>();
        var layout = Render<MainLayout>();
        Assert.Empty(layout.FindAll("#outage-banner"));

        connection.Failed(ApiProblemException.Unreachable("Connection refused (api:80)"));
        layout.WaitForAssertion(() => Assert.Contains("Connection refused", layout.Find("#outage-banner").TextContent, StringComparison.Ordinal));

        connection.Answered();
        layout.WaitForAssertion(() => Assert.Empty(layout.FindAll("#outage-banner")));
    }

    [Fact]
    public void A_refusal_is_not_an_outage()
    {
        var refusal = new ApiProblemException(422, "version-not-enabled", "Version not enabled", null, new Dictionary<string, string[]>(), [], "r-1");
        var unavailable = new ApiProblemException(503, "service-unavailable", "Service unavailable", null, new Dictionary<string, string[]>(), [], "r-2");

        Assert.False(refusal.IsOutage);
        Assert.True(unavailable.IsOutage);
        Assert.True(ApiProblemException.Unreachable("timeout").IsOutage);
    }
}
