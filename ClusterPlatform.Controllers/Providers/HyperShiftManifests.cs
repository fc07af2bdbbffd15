using System.Text.Json.Nodes;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The mapping from the platform's cluster to HyperShift's resources (hypershift.openshift.io/v1beta1),
/// shared by the real and the simulated provider so the simulation stores exactly what would be sent.
/// It follows <c>hypershift create cluster gcp</c> field by field (openshift/hypershift at
/// 3ee9615567acffaf3e3ee25c2ca2942d650565cf: docs/content/how-to/gcp/create-gcp-hosted-cluster.md,
/// cmd/cluster/gcp/create.go, cmd/cluster/core/create.go); docs/controllers.md has the flag-by-flag table.
/// These are apply configurations: exactly the fields the platform owns, nothing read back.
/// </summary>
internal static class HyperShiftManifests
{
    public const string Group = "hypershift.openshift.io";
    public const string ApiVersion = "v1beta1";
    public const string HostedClusters = "hostedclusters";
    public const string NodePools = "nodepools";

    /// <summary>Marks the NodePools of one hosted cluster, so the ones no longer wanted can be found and removed.</summary>
    public const string ClusterLabel = "clusterplatform.io/hosted-cluster";
    public const string NodePoolLabel = "clusterplatform.io/node-pool";

    /// <summary>The platform cluster a namespace belongs to.</summary>
    public const string ClusterIdLabel = "clusterplatform.io/cluster-id";

    /// <summary>
    /// GCP is a TechPreviewNoUpgrade platform: the guide's <c>--feature-set=TechPreviewNoUpgrade</c>
    /// becomes <c>spec.configuration.featureGate.featureSet</c> (cmd/cluster/core/create.go, applyFeatureSet).
    /// </summary>
    public const string FeatureSet = "TechPreviewNoUpgrade";

    /// <summary>
    /// The guide requires it on GKE: "GKE clusters enforce pod security policies that block some
    /// HyperShift control plane components from starting without the baseline override."
    /// </summary>
    public static readonly KeyValuePair<string, string> PodSecurityOverride = new("hypershift.openshift.io/pod-security-admission-label-override", "baseline");

    public static Dictionary<string, string> NamespaceLabels(Guid clusterId, HostedClusterRef cluster) => new(StringComparer.Ordinal)
    {
        [ClusterIdLabel] = clusterId.ToString(),
        [ClusterLabel] = cluster.Name,
    };

    public static string NodePoolResourceName(HostedClusterRef cluster, string nodePool) => $"{cluster.Name}-{nodePool}";

    public static JsonObject Namespace(Guid clusterId, HostedClusterRef cluster) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Namespace",
        ["metadata"] = new JsonObject { ["name"] = cluster.Namespace, ["labels"] = Labels(NamespaceLabels(clusterId, cluster)) },
    };

    public static JsonObject HostedCluster(HostedClusterInput cluster, ManagementClusterOptions options) => new()
    {
        ["apiVersion"] = $"{Group}/{ApiVersion}",
        ["kind"] = "HostedCluster",
        ["metadata"] = new JsonObject
        {
            ["name"] = cluster.Ref.Name,
            ["namespace"] = cluster.Ref.Namespace,
            ["labels"] = Labels(new() { [ClusterLabel] = cluster.Ref.Name }),
            ["annotations"] = Labels(new() { [PodSecurityOverride.Key] = PodSecurityOverride.Value }),
        },
        ["spec"] = new JsonObject
        {
            ["clusterID"] = cluster.ClusterId.ToString(),
            ["infraID"] = cluster.Infrastructure.InfraId,
            ["release"] = new JsonObject { ["image"] = cluster.ReleaseImage },
            ["pullSecret"] = new JsonObject { ["name"] = options.PullSecretName },
            // The key the hosted cluster signs service-account tokens with, and the issuer they carry:
            // the workload identity provider trusts exactly this pair (create-gcp-iam.md).
            ["issuerURL"] = cluster.Infrastructure.IssuerUrl,
            ["serviceAccountSigningKey"] = new JsonObject { ["name"] = cluster.Ref.SigningKeySecret },
            // hypershift create cluster encrypts secrets in etcd with a generated AES-CBC key by default (core/create.go, postProcess).
            ["secretEncryption"] = new JsonObject
            {
                ["type"] = "aescbc",
                ["aescbc"] = new JsonObject { ["activeKey"] = new JsonObject { ["name"] = cluster.Ref.EtcdEncryptionKeySecret } },
            },
            ["dns"] = new JsonObject { ["baseDomain"] = cluster.BaseDomain },
            ["networking"] = new JsonObject
            {
                ["networkType"] = "OVNKubernetes",
                ["machineNetwork"] = Cidrs(cluster.Networking.MachineCidr),
                ["clusterNetwork"] = Cidrs(cluster.Networking.PodCidr),
                ["serviceNetwork"] = Cidrs(cluster.Networking.ServiceCidr),
            },
            ["platform"] = new JsonObject { ["type"] = "GCP", ["gcp"] = GcpPlatform(cluster) },
            ["services"] = Services(),
            ["configuration"] = new JsonObject { ["featureGate"] = new JsonObject { ["featureSet"] = FeatureSet } },
        },
    };

    public static JsonObject NodePool(HostedClusterInput cluster, NodePoolInput pool)
    {
        var spec = new JsonObject
        {
            ["clusterName"] = cluster.Ref.Name,
            ["release"] = new JsonObject { ["image"] = pool.ReleaseImage },
            ["management"] = new JsonObject { ["upgradeType"] = "Replace" },
            ["platform"] = new JsonObject
            {
                ["type"] = "GCP",
                // cmd/cluster/gcp/create.go GenerateNodePools: machine type, zone (default <region>-a) and
                // the subnet (default: the Private Service Connect subnet).
                ["gcp"] = new JsonObject
                {
                    ["machineType"] = pool.MachineType,
                    ["zone"] = $"{cluster.Region}-a",
                    ["subnet"] = cluster.Subnet,
                    ["bootDisk"] = new JsonObject { ["diskSizeGB"] = pool.DiskSizeGb },
                },
            },
        };
        // Exactly one of the two: the NodePool CRD's rule "!has(self.replicas) || !has(self.autoScaling)".
        // Apply removes the one no longer sent.
        if (pool.Autoscaling is { } autoscaling)
        {
            spec["autoScaling"] = new JsonObject { ["min"] = autoscaling.Min, ["max"] = autoscaling.Max };
        }
        else
        {
            spec["replicas"] = pool.Replicas ?? 0;
        }

        return new JsonObject
        {
            ["apiVersion"] = $"{Group}/{ApiVersion}",
            ["kind"] = "NodePool",
            ["metadata"] = new JsonObject
            {
                ["name"] = NodePoolResourceName(cluster.Ref, pool.Name),
                ["namespace"] = cluster.Ref.Namespace,
                ["labels"] = Labels(new() { [ClusterLabel] = cluster.Ref.Name, [NodePoolLabel] = pool.Name }),
            },
            ["spec"] = spec,
        };
    }

    /// <summary>Reads status the way HyperShift writes it: conditions with observedGeneration, the endpoint and the version history.</summary>
    public static HostedClusterStatus Status(JsonNode? hostedCluster, IEnumerable<JsonNode> nodePools) => hostedCluster is null
        ? HostedClusterStatus.Absent
        : new HostedClusterStatus(
            true,
            Generation(hostedCluster),
            ResourceCondition.ListFrom(hostedCluster["status"]),
            nodePools
                .Select(pool => new NodePoolStatus(
                    (string?)pool["metadata"]?["labels"]?[NodePoolLabel] ?? (string?)pool["metadata"]?["name"] ?? "",
                    Generation(pool),
                    pool["status"]?["replicas"] is JsonValue replicas ? replicas.GetValue<int>() : 0,
                    ResourceCondition.ListFrom(pool["status"])))
                .OrderBy(pool => pool.Name, StringComparer.Ordinal)
                .ToList(),
            hostedCluster["status"]?["controlPlaneEndpoint"] is JsonObject endpoint && (string?)endpoint["host"] is { Length: > 0 } host
                ? new ControlPlaneEndpoint(host, endpoint["port"] is JsonValue port ? port.GetValue<int>() : 0)
                : null,
            hostedCluster["status"]?["version"]?["history"] is JsonArray { Count: > 0 } history && history[0] is JsonObject latest
                ? new ReleaseHistoryEntry((string?)latest["version"] ?? "", (string?)latest["image"] ?? "", (string?)latest["state"] ?? "")
                : null);

    private static long Generation(JsonNode resource) =>
        resource["metadata"]?["generation"] is JsonValue generation ? generation.GetValue<long>() : 0;

    // cmd/cluster/gcp/create.go, ApplyPlatformSpecifics: every field of GCPPlatformSpec the guide's command sets.
    private static JsonObject GcpPlatform(HostedClusterInput cluster)
    {
        var names = cluster.Infrastructure;
        return new JsonObject
        {
            ["project"] = cluster.ProjectId,
            ["region"] = cluster.Region,
            ["networkConfig"] = new JsonObject
            {
                ["network"] = new JsonObject { ["name"] = cluster.Network },
                ["privateServiceConnectSubnet"] = new JsonObject { ["name"] = cluster.Subnet },
            },
            ["endpointAccess"] = "PublicAndPrivate",
            ["workloadIdentity"] = new JsonObject
            {
                ["projectNumber"] = cluster.ProjectNumber,
                ["poolID"] = names.WorkloadIdentityPoolId,
                ["providerID"] = names.WorkloadIdentityProviderId,
                ["serviceAccountsEmails"] = new JsonObject(names.ServiceAccounts.Select(sa => KeyValuePair.Create(sa.Key, (JsonNode?)sa.Value))),
            },
        };
    }

    /// <summary>
    /// The publishing strategy of <c>GetIngressServicePublishingStrategyMapping(OVNKubernetes, usesExternalDNS: false, isPrivate: false)</c>
    /// (cmd/cluster/core/create.go), sorted by service as it sorts them: the API server gets its own
    /// load balancer, whose address HyperShift reports as <c>status.controlPlaneEndpoint</c>
    /// (control-plane-operator/controllers/hostedcontrolplane/kas/service.go); the platform's DNS
    /// controller points the cluster's API name at it. The CRD makes services immutable.
    /// </summary>
    private static JsonArray Services() =>
    [
        Service("APIServer", "LoadBalancer"),
        Service("Ignition", "Route"),
        Service("Konnectivity", "Route"),
        Service("OAuthServer", "Route"),
    ];

    private static JsonObject Labels(Dictionary<string, string> labels) =>
        new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    private static JsonArray Cidrs(string cidr) => [new JsonObject { ["cidr"] = cidr }];

    private static JsonObject Service(string service, string type) => new()
    {
        ["service"] = service,
        ["servicePublishingStrategy"] = new JsonObject { ["type"] = type },
    };
}
