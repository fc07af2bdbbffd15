using System.Globalization;
using System.Text.Json.Nodes;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The mapping from the platform's cluster to HyperShift's resources
/// (hypershift.openshift.io/v1beta1), shared by the real and the simulated provider so the
/// simulation stores exactly what would be sent.
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

    /// <summary>The platform cluster a namespace belongs to: its id and name.</summary>
    public const string ClusterIdLabel = "clusterplatform.io/cluster-id";

    public static Dictionary<string, string> NamespaceLabels(HostedClusterInput cluster) => new(StringComparer.Ordinal)
    {
        [ClusterIdLabel] = cluster.ClusterId.ToString(),
        [ClusterLabel] = cluster.Ref.Name,
    };

    public static string NodePoolResourceName(HostedClusterRef cluster, string nodePool) => $"{cluster.Name}-{nodePool}";

    public static JsonObject HostedCluster(HostedClusterInput cluster, ManagementClusterOptions options) => new()
    {
        ["apiVersion"] = $"{Group}/{ApiVersion}",
        ["kind"] = "HostedCluster",
        ["metadata"] = Metadata(cluster.Ref.Namespace, cluster.Ref.Name, new() { [ClusterLabel] = cluster.Ref.Name }),
        ["spec"] = new JsonObject
        {
            ["clusterID"] = cluster.ClusterId.ToString(),
            ["release"] = Release(cluster.ReleaseVersion, options),
            ["pullSecret"] = new JsonObject { ["name"] = options.PullSecretName },
            ["dns"] = new JsonObject { ["baseDomain"] = cluster.BaseDomain },
            ["networking"] = new JsonObject
            {
                ["networkType"] = "OVNKubernetes",
                ["machineNetwork"] = Cidrs(cluster.Networking.MachineCidr),
                ["clusterNetwork"] = Cidrs(cluster.Networking.PodCidr),
                ["serviceNetwork"] = Cidrs(cluster.Networking.ServiceCidr),
            },
            ["platform"] = new JsonObject
            {
                ["type"] = "GCP",
                ["gcp"] = GcpPlatform(cluster, options.Gcp),
            },
            // HyperShift requires a publishing strategy per control-plane service; the API server
            // gets its own load balancer, the rest share the management cluster's router.
            ["services"] = new JsonArray(
                Service("APIServer", "LoadBalancer"),
                Service("OAuthServer", "Route"),
                Service("Konnectivity", "Route"),
                Service("Ignition", "Route")),
        },
    };

    public static JsonObject NodePool(HostedClusterInput cluster, NodePoolInput pool, ManagementClusterOptions options)
    {
        var spec = new JsonObject
        {
            ["clusterName"] = cluster.Ref.Name,
            ["release"] = Release(pool.ReleaseVersion ?? cluster.ReleaseVersion, options),
            ["management"] = new JsonObject { ["upgradeType"] = "Replace" },
            ["platform"] = new JsonObject
            {
                ["type"] = "GCP",
                ["gcp"] = new JsonObject
                {
                    ["machineType"] = pool.MachineType,
                    ["zone"] = $"{cluster.Region}-{options.Gcp.NodeZoneSuffix}",
                    ["subnet"] = HyperShiftGcpOptions.Expand(options.Gcp.NodeSubnetTemplate, cluster),
                    ["bootDisk"] = new JsonObject { ["diskSizeGB"] = pool.DiskSizeGb },
                },
            },
        };
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
            ["metadata"] = Metadata(cluster.Ref.Namespace, NodePoolResourceName(cluster.Ref, pool.Name), new()
            {
                [ClusterLabel] = cluster.Ref.Name,
                [NodePoolLabel] = pool.Name,
            }),
            ["spec"] = spec,
        };
    }

    public static HostedClusterStatus Status(JsonNode? hostedCluster, IEnumerable<JsonNode> nodePools) => hostedCluster is null
        ? new HostedClusterStatus(false, [], [])
        : new HostedClusterStatus(
            true,
            ResourceCondition.ListFrom(hostedCluster["status"]),
            nodePools
                .Select(pool => new NodePoolStatus(
                    (string?)pool["metadata"]?["labels"]?[NodePoolLabel] ?? (string?)pool["metadata"]?["name"] ?? "",
                    pool["status"]?["replicas"] is JsonValue replicas ? replicas.GetValue<int>() : 0,
                    ResourceCondition.ListFrom(pool["status"])))
                .OrderBy(pool => pool.Name, StringComparer.Ordinal)
                .ToList());

    // HyperShift's GCPPlatformSpec (hypershift.openshift.io/v1beta1): project, region, the VPC for
    // Private Service Connect, and workload identity federation instead of service account keys.
    private static JsonObject GcpPlatform(HostedClusterInput cluster, HyperShiftGcpOptions gcp) => new()
    {
        ["project"] = cluster.ProjectId,
        ["region"] = cluster.Region,
        ["networkConfig"] = new JsonObject
        {
            ["network"] = new JsonObject { ["name"] = cluster.Network },
            ["privateServiceConnectSubnet"] = new JsonObject { ["name"] = HyperShiftGcpOptions.Expand(gcp.PrivateServiceConnectSubnetTemplate, cluster) },
        },
        ["endpointAccess"] = gcp.EndpointAccess,
        ["workloadIdentity"] = new JsonObject
        {
            ["projectNumber"] = cluster.ProjectNumber,
            ["poolID"] = gcp.WorkloadIdentityPoolId,
            ["providerID"] = gcp.WorkloadIdentityProviderId,
            ["serviceAccountsEmails"] = new JsonObject
            {
                ["nodePool"] = HyperShiftGcpOptions.ServiceAccountEmail(gcp.NodePoolServiceAccount, cluster),
                ["controlPlane"] = HyperShiftGcpOptions.ServiceAccountEmail(gcp.ControlPlaneServiceAccount, cluster),
                ["cloudController"] = HyperShiftGcpOptions.ServiceAccountEmail(gcp.CloudControllerServiceAccount, cluster),
                ["storage"] = HyperShiftGcpOptions.ServiceAccountEmail(gcp.StorageServiceAccount, cluster),
            },
        },
    };

    private static JsonObject Metadata(string @namespace, string name, Dictionary<string, string> labels) => new()
    {
        ["name"] = name,
        ["namespace"] = @namespace,
        ["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
    };

    private static JsonObject Release(string version, ManagementClusterOptions options) =>
        new() { ["image"] = string.Format(CultureInfo.InvariantCulture, options.ReleaseImageTemplate, version) };

    private static JsonArray Cidrs(string cidr) => [new JsonObject { ["cidr"] = cidr }];

    private static JsonObject Service(string service, string type) => new()
    {
        ["service"] = service,
        ["servicePublishingStrategy"] = new JsonObject { ["type"] = type },
    };
}
