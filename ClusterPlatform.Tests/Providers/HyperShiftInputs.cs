extern alias controllers;

using controllers::ClusterPlatform.Controllers.Providers;

namespace ClusterPlatform.Tests.Providers;

internal static class HyperShiftInputs
{
    public static NodePoolInput Pool(string name, int replicas = 3) =>
        new(name, "n2-standard-4", replicas, null, 128, null);

    public static HostedClusterInput Cluster(string name, params NodePoolInput[] pools) => new(
        new HostedClusterRef($"clusters-{name}", name),
        Guid.Parse("0199a3c4-5e6f-7a8b-9c0d-1e2f3a4b5c6d"),
        "4.17.3",
        "acme.example.com",
        "acme-prod-123",
        "123456789012",
        "us-central1",
        "default",
        new ClusterNetworks("10.0.0.0/16", "10.128.0.0/14", "172.30.0.0/16"),
        pools);
}
