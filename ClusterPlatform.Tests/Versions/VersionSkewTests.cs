using ClusterPlatform.Api.Errors;
using ClusterPlatform.Api.Versions;

namespace ClusterPlatform.Tests.Versions;

/// <summary>
/// The skew rule against upstream's own table: TestValidateVersionSkew in openshift/hypershift
/// 3ee9615567acffaf3e3ee25c2ca2942d650565cf, support/supportedversion/version_test.go (same cases,
/// same messages), and the cluster upgrade check that names every pool it would strand.
/// </summary>
public sealed class VersionSkewTests
{
    public static TheoryData<string, string, string?> UpstreamCases => new()
    {
        { "4.17.0", "4.18.0", "cannot be higher than the HostedCluster version" },
        { "4.18.0", "4.18.0", null },
        { "4.18.0", "4.17.0", null },
        { "4.18.0", "4.16.0", null },
        { "4.18.0", "4.15.0", null }, // n-3
        { "4.18.0", "4.14.0", "is less than 4.15, which is the minimum NodePool version compatible with the 4.18 HostedCluster" },
        { "4.21.0", "4.18.0", null },
        { "4.21.0", "4.17.0", "is less than 4.18, which is the minimum NodePool version compatible with the 4.21 HostedCluster" },
        { "4.18.5", "4.18.0", null },
        { "4.18.5", "4.18.6", "cannot be higher than the HostedCluster version" }, // versioning-support.md: the patch counts too
        { "5.0.0", "4.22.0", null },
        { "5.0.0", "4.20.0", null },
        { "5.0.0", "4.19.0", "is less than 4.20, which is the minimum NodePool version compatible with the 5.0 HostedCluster" },
        { "5.0.0", "4.23.0", null },
        { "4.23.0", "5.0.0", null },
        { "5.0.0", "5.1.0", "cannot be higher than the HostedCluster version" },
        { "5.1.0", "4.21.0", null },
        { "5.1.0", "4.20.0", "is less than 4.21, which is the minimum NodePool version compatible with the 5.1 HostedCluster" },
        { "5.0.3", "4.22.7", null },
        { "6.0.0", "4.22.0", "is not a 4.x or 5.x" },
    };

    [Theory]
    [MemberData(nameof(UpstreamCases))]
    public void Follows_upstream_ValidateVersionSkew(string controlPlane, string pool, string? violation)
    {
        var reason = VersionSkew.Violation(controlPlane, pool);

        if (violation is null)
        {
            Assert.Null(reason);
        }
        else
        {
            Assert.Contains(violation, reason);
        }
    }

    [Fact]
    public void A_pool_outside_the_skew_is_a_422_version_skew_with_the_reason()
    {
        var refusal = Assert.Throws<ApiException>(() => VersionSkew.RequireSupported("4.22.2", "4.22.3"));

        Assert.Equal((422, "version-skew"), (refusal.Status, refusal.Code));
        Assert.Contains("cannot be higher than the HostedCluster version 4.22.2", refusal.Message);
    }

    [Fact]
    public void A_cluster_upgrade_names_every_pool_it_would_strand_and_only_those()
    {
        (string, string)[] pools = [("current", "4.22.3"), ("recent", "4.20.0"), ("old-a", "4.19.0"), ("old-b", "4.19.5")];

        VersionSkew.RequireNoneStranded("4.22.3", pools);
        var refusal = Assert.Throws<ApiException>(() => VersionSkew.RequireNoneStranded("4.23.0", pools));

        Assert.Equal((422, "version-skew"), (refusal.Status, refusal.Code));
        Assert.Contains("old-a (4.19.0)", refusal.Message);
        Assert.Contains("old-b (4.19.5)", refusal.Message);
        Assert.DoesNotContain("recent (", refusal.Message);
        Assert.DoesNotContain("current (", refusal.Message);
        // A downgrade strands the pools above the target.
        Assert.Contains("current (4.22.3)", Assert.Throws<ApiException>(() => VersionSkew.RequireNoneStranded("4.22.2", pools)).Message);
    }
}
