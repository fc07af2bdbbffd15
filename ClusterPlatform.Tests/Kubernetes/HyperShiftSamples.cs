using YamlDotNet.RepresentationModel;

namespace ClusterPlatform.Tests.Kubernetes;

/// <summary>HostedClusters and NodePools as HyperShift's own tooling renders them, for admission tests.</summary>
internal static class HyperShiftSamples
{
    /// <summary>
    /// Upstream's GCP HostedCluster (Kubernetes/Fixtures, `hypershift create cluster gcp` with minimal
    /// flags) as JSON. The fixture leaves release.image and dns.baseDomain empty, which the CRD refuses
    /// (the CLI fills them from flags); they get plausible values here.
    /// </summary>
    public static JsonObject GcpHostedCluster()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Kubernetes", "Fixtures",
            "zz_fixture_TestCreateCluster_When_minimal_flags_are_provided__it_should_render_successfully.yaml");
        var yaml = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            yaml.Load(reader);
        }

        var hostedCluster = yaml.Documents.Select(d => CrdCatalog.ToJson(d.RootNode)).OfType<JsonObject>().Single(d => (string?)d["kind"] == "HostedCluster");
        hostedCluster.Remove("status");
        hostedCluster["spec"]!["release"]!["image"] = "quay.io/openshift-release-dev/ocp-release:4.19.0-multi";
        hostedCluster["spec"]!["dns"]!["baseDomain"] = "example.com";
        return hostedCluster;
    }

    /// <summary>A GCP NodePool of the fixture's cluster, with the fields the CRD requires.</summary>
    public static JsonObject GcpNodePool(string name = "example-workers") => JsonNode.Parse($$"""
        {
          "apiVersion": "hypershift.openshift.io/v1beta1",
          "kind": "NodePool",
          "metadata": { "name": "{{name}}", "namespace": "clusters" },
          "spec": {
            "clusterName": "example",
            "replicas": 2,
            "management": { "upgradeType": "Replace" },
            "release": { "image": "quay.io/openshift-release-dev/ocp-release:4.19.0-multi" },
            "platform": {
              "type": "GCP",
              "gcp": { "machineType": "n2-standard-4", "zone": "us-central1-a", "subnet": "test-subnet" }
            }
          }
        }
        """)!.AsObject();
}
