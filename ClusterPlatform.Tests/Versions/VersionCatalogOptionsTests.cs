using ClusterPlatform.Api.Versions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Tests.Versions;

/// <summary>The catalog's settings as the Api checks them at start (ValidateOnStart): a wrong graph setting stops the Api, naming it.</summary>
public sealed class VersionCatalogOptionsTests
{
    private static VersionCatalogOptions Resolve(params (string Key, string Value)[] settings)
    {
        // A later setting wins, as with layered configuration sources.
        var values = new Dictionary<string, string?>();
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        services.AddVersionCatalog();
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<VersionCatalogOptions>>().Value;
    }

    [Fact]
    public void The_defaults_are_the_simulated_graph_and_red_hats_multi_arch_graph_api()
    {
        var options = Resolve();

        Assert.Equal(VersionCatalogOptions.Simulated, options.Graph);
        Assert.Equal("https://api.openshift.com/api/upgrades_info/v1/graph", options.GraphUrl.AbsoluteUri);
        Assert.Equal("multi", options.GraphArchitecture);
    }

    [Theory]
    [InlineData("Versions:Graph", "Cincinnati", "Graph")]
    [InlineData("Versions:GraphUrl", "/api/upgrades_info/v1/graph", "Versions:GraphUrl")]
    [InlineData("Versions:GraphUrl", "ftp://api.openshift.com/graph", "Versions:GraphUrl")]
    // The policy engine's arch regex refuses these with 400 invalid_params.
    [InlineData("Versions:GraphArchitecture", "x86_64", "GraphArchitecture")]
    [InlineData("Versions:GraphArchitecture", "Multi", "GraphArchitecture")]
    public void A_wrong_graph_setting_is_refused_naming_it(string key, string value, string named)
    {
        var e = Assert.Throws<OptionsValidationException>(() => Resolve(("Versions:Graph", "Real"), (key, value)));

        Assert.Contains(named, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_graph_with_its_defaults_is_valid()
    {
        Assert.Equal(VersionCatalogOptions.Real, Resolve(("Versions:Graph", "Real")).Graph);
    }
}
