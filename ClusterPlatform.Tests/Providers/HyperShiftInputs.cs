extern alias controllers;

using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

/// <summary>Inputs of the HyperShift providers for a cluster prepared as HyperShift's GCP guide prepares one.</summary>
internal static class HyperShiftInputs
{
    /// <summary>A release image by digest, as the update graph gives it.</summary>
    public const string ReleaseImage = "quay.io/openshift-release-dev/ocp-release@sha256:1f5c4a2b3d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081";

    public static readonly Guid ClusterId = Guid.Parse("0199a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d");

    public static NodePoolInput Pool(string name, int replicas = 3) =>
        new(name, "n2-standard-4", replicas, null, 128, ReleaseImage, "4.22.3");

    public static HostedClusterInput Cluster(string name, params NodePoolInput[] pools)
    {
        var names = new GcpInfrastructureNames("alpha-1a2b3", "acme-prod-123");
        return new(
            HostedClusterRef.For(ClusterId, name),
            ClusterId,
            names,
            new ClusterDnsName(ClusterId, name, "acme.example.com"),
            "4.22.3",
            ReleaseImage,
            "acme.example.com",
            "123456789012",
            "us-central1",
            names.Network,
            names.Subnet,
            new ClusterNetworks("10.0.0.0/16", "10.128.0.0/14", "172.30.0.0/16"),
            pools);
    }
}
