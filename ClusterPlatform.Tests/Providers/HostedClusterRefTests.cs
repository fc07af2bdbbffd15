extern alias controllers;

using System.Text.RegularExpressions;
using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>Where a cluster's HyperShift resources live on a management cluster shared by tenants.</summary>
public sealed class HostedClusterRefTests
{
    [Fact]
    public void Two_organizations_clusters_of_the_same_name_get_namespaces_of_their_own()
    {
        var first = HostedClusterRef.For(Guid.CreateVersion7(), "prod-east");
        var second = HostedClusterRef.For(Guid.CreateVersion7(), "prod-east");

        Assert.NotEqual(first.Namespace, second.Namespace);
        Assert.Equal(("prod-east", "prod-east"), (first.Name, second.Name));
    }

    [Fact]
    public void The_same_cluster_always_maps_to_the_same_namespace()
    {
        var id = Guid.CreateVersion7();

        Assert.Equal(HostedClusterRef.For(id, "prod-east"), HostedClusterRef.For(id, "prod-east"));
    }

    [Fact]
    public void The_control_plane_namespace_HyperShift_derives_stays_a_dns_label_for_the_longest_cluster_name()
    {
        var longest = new string('a', 40);
        var reference = HostedClusterRef.For(Guid.CreateVersion7(), longest);

        var controlPlaneNamespace = $"{reference.Namespace}-{reference.Name}";
        Assert.True(controlPlaneNamespace.Length <= 63, controlPlaneNamespace);
        Assert.Matches(new Regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"), controlPlaneNamespace);
    }
}
