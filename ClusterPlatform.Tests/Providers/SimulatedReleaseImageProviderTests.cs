extern alias controllers;

using System.Security.Cryptography;
using System.Text;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Providers;

public sealed class SimulatedReleaseImageProviderTests
{
    /// <summary>As the application registers it in simulated mode; an empty configuration proves it needs none.</summary>
    private static IReleaseImageProvider Provider() => new ServiceCollection()
        .AddReleaseImageProvider(new ConfigurationBuilder().Build().GetSection("Providers"), ProviderMode.Simulated)
        .BuildServiceProvider()
        .GetRequiredService<IReleaseImageProvider>();

    [Theory]
    [InlineData("4.22.2", "stable")]
    [InlineData("4.22.0-rc.2", "candidate")]
    [InlineData("4.21.9", "eus")]
    public async Task Every_well_formed_version_resolves_to_the_sha256_of_its_version_string(string version, string channelGroup)
    {
        var image = await Provider().ResolveAsync(version, channelGroup, Cancellation);

        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(version)));
        Assert.Equal(new ReleaseImage(version, $"quay.io/openshift-release-dev/ocp-release@sha256:{digest}"), image);
    }

    [Fact]
    public async Task The_same_version_gets_the_same_digest_in_any_channel_group_and_different_versions_differ()
    {
        var provider = Provider();

        var stable = await provider.ResolveAsync("4.22.2", "stable", Cancellation);
        var fast = await provider.ResolveAsync("4.22.2", "fast", Cancellation);
        var other = await provider.ResolveAsync("4.22.3", "stable", Cancellation);

        Assert.Equal(stable, fast);
        Assert.NotEqual(stable!.PullSpec, other!.PullSpec);
    }

    [Theory]
    [InlineData("4.22")]
    [InlineData("latest")]
    [InlineData("v4.22.2")]
    [InlineData("4.22.2-multi ")]
    public async Task A_malformed_version_is_not_found(string version) =>
        Assert.Null(await Provider().ResolveAsync(version, "stable", Cancellation));

    [Fact]
    public async Task A_channel_group_that_makes_no_channel_name_fails_as_the_real_provider_does()
    {
        var e = await Assert.ThrowsAsync<ProviderException>(() => Provider().ResolveAsync("4.22.2", "Stable", Cancellation));

        Assert.False(e.Transient);
    }
}
