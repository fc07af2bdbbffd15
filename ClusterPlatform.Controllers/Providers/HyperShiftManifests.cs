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

    /// <summary>
    /// The guide's "CAPG Image Override Required for 4.22.x/4.23.x only (GCP-841)": the CAPG image in
    /// these releases crashes on a removed feature gate, so the HostedCluster names a working one.
    /// </summary>
    public const string CapiProviderGcpImageAnnotation = "hypershift.openshift.io/capi-provider-gcp-image";

    private static readonly string[] MinorsNeedingCapiProviderGcpImage = ["4.22", "4.23"];

    public static bool NeedsCapiProviderGcpImage(string version) =>
        MinorsNeedingCapiProviderGcpImage.Any(minor => version.StartsWith($"{minor}.", StringComparison.Ordinal));

    /// <summary>The CAPG image the release needs named, or null when its own works.</summary>
    /// <exception cref="ProviderException">Permanent: the release needs one and none is configured.</exception>
    public static string? CapiProviderGcpImage(string version, ManagementClusterOptions options)
    {
        if (options.CapiProviderGcpImages.TryGetValue(version, out var image))
        {
            return image;
        }

        return NeedsCapiProviderGcpImage(version)
            ? throw new ProviderException(
                $"OpenShift {version} needs its cluster-api-provider-gcp image named (HyperShift's GCP guide, GCP-841); set " +
                $"{ProviderOptions.Section}:ManagementClusters:{nameof(ManagementClusterOptions.CapiProviderGcpImages)}:{version} to the output of " +
                "`oc adm release info <release image> --image-for=cluster-api-provider-gcp`", transient: false)
            : null;
    }

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
            ["annotations"] = Labels(Annotations(cluster, options)),
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
            ["services"] = Services(cluster.Names),
            ["configuration"] = new JsonObject { ["featureGate"] = new JsonObject { ["featureSet"] = FeatureSet } },
        },
    };

    private static Dictionary<string, string> Annotations(HostedClusterInput cluster, ManagementClusterOptions options)
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [PodSecurityOverride.Key] = PodSecurityOverride.Value };
        if (CapiProviderGcpImage(cluster.ReleaseVersion, options) is { } capg)
        {
            annotations[CapiProviderGcpImageAnnotation] = capg;
        }

        return annotations;
    }

    public static JsonObject NodePool(HostedClusterInput cluster, NodePoolInput pool)
    {
        var spec = new JsonObject
        {
            ["clusterName"] = cluster.Ref.Name,
            ["release"] = new JsonObject { ["image"] = pool.ReleaseImage },
            ["management"] = Management(pool.Upgrade),
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

    /// <summary>
    /// The NodePool's <c>spec.management</c> (ClusterPlatform.Tests/Kubernetes/Crds/nodepools-*.crd.yaml,
    /// spec.management): Replace rolls out through <c>replace.strategy: RollingUpdate</c> with
    /// <c>rollingUpdate.maxSurge</c>/<c>maxUnavailable</c>; InPlace through <c>inPlace.maxUnavailable</c>
    /// (the CRD's rule: "The 'inPlace' field can only be set when 'upgradeType' is 'InPlace'"). The
    /// bounds are IntOrString: a number when numeric, a string when a percentage, as the CRD's
    /// <c>x-kubernetes-int-or-string</c> reads them. Without settings, HyperShift's own default
    /// (Replace, RollingUpdate with maxSurge 1 and maxUnavailable 0) applies.
    /// </summary>
    private static JsonObject Management(NodePoolUpgrade? upgrade)
    {
        if (upgrade is null)
        {
            return new JsonObject { ["upgradeType"] = "Replace" };
        }

        var management = new JsonObject { ["upgradeType"] = upgrade.Type };
        if (upgrade.Type == "InPlace")
        {
            if (upgrade.MaxUnavailable is { } inPlaceUnavailable)
            {
                management["inPlace"] = new JsonObject { ["maxUnavailable"] = IntOrString(inPlaceUnavailable) };
            }

            return management;
        }

        var rollingUpdate = new JsonObject();
        if (upgrade.MaxSurge is { } surge)
        {
            rollingUpdate["maxSurge"] = IntOrString(surge);
        }

        if (upgrade.MaxUnavailable is { } unavailable)
        {
            rollingUpdate["maxUnavailable"] = IntOrString(unavailable);
        }

        management["replace"] = new JsonObject { ["strategy"] = "RollingUpdate", ["rollingUpdate"] = rollingUpdate };
        return management;
    }

    internal static JsonNode IntOrString(string value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(value);

    /// <summary>Reads status the way HyperShift writes it: conditions with observedGeneration, the endpoint and the version history.</summary>
    public static HostedClusterStatus Status(JsonNode? hostedCluster, IEnumerable<JsonNode> nodePools) => hostedCluster is null
        ? HostedClusterStatus.Absent
        : new HostedClusterStatus(
            true,
            Generation(hostedCluster),
            ResourceCondition.ListFrom(hostedCluster["status"]),
            nodePools
                .Select(pool => new NodePoolStatus(
                    Text(pool["metadata"]?["labels"]?[NodePoolLabel]) is { Length: > 0 } label ? label : Text(pool["metadata"]?["name"]),
                    Generation(pool),
                    (int)(Number(pool["status"]?["replicas"]) ?? 0),
                    ResourceCondition.ListFrom(pool["status"]),
                    Text(pool["status"]?["version"]) is { Length: > 0 } version ? version : null))
                .OrderBy(pool => pool.Name, StringComparer.Ordinal)
                .ToList(),
            hostedCluster["status"]?["controlPlaneEndpoint"] is JsonObject endpoint && Text(endpoint["host"]) is { Length: > 0 } host
                ? new ControlPlaneEndpoint(host, (int)(Number(endpoint["port"]) ?? 0))
                : null,
            VersionStatus(hostedCluster["status"]?["version"]),
            HostedClusterUrls.Console(hostedCluster));

    /// <summary>
    /// <c>status.version</c> as the HostedCluster CRD declares it (ClusterPlatform.Tests/Kubernetes/Crds/
    /// hostedclusters-Hypershift-TechPreviewNoUpgrade.crd.yaml, status.version: <c>desired</c> {image, version},
    /// <c>history</c>[] {state, image, version, startedTime, completionTime (nullable), verified}), every
    /// entry in HyperShift's order, newest first.
    /// </summary>
    private static ReleaseVersionStatus? VersionStatus(JsonNode? version) => version is JsonObject
        ? new ReleaseVersionStatus(
            Text(version["desired"]?["image"]),
            Text(version["desired"]?["version"]),
            (version["history"] as JsonArray ?? []).OfType<JsonObject>()
                .Select(entry => new ReleaseHistoryEntry(Text(entry["version"]), Text(entry["image"]), Text(entry["state"]),
                    Time(entry["startedTime"]), Time(entry["completionTime"])))
                .ToList())
        : null;

    /// <summary>An RFC 3339 time as Kubernetes writes it (metav1.Time), in UTC; absent, null or unreadable reads as null.</summary>
    private static DateTime? Time(JsonNode? node) =>
        DateTime.TryParse(Text(node), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static long Generation(JsonNode resource) => Number(resource["metadata"]?["generation"]) ?? 0;

    internal static string Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";

    /// <summary>A number as the server wrote it; anything else reads as absent rather than failing the reconcile.</summary>
    internal static long? Number(JsonNode? node) => node is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;

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
    /// The publishing of <c>hypershift create cluster gcp --external-dns-domain</c>
    /// (cmd/cluster/core/create.go GetIngressServicePublishingStrategyMapping with external DNS, then
    /// cmd/cluster/gcp/create.go ApplyPlatformSpecifics), sorted by service as it sorts them: the API
    /// server and OAuth server are Routes with hostnames, which HyperShift's ExternalDNS publishes and
    /// which name the API server's certificate and the kubeconfig; Konnectivity and Ignition are
    /// reached over Private Service Connect. The hostnames are the names the platform's DNS
    /// controller claimed for this cluster, not <c>api-&lt;name&gt;.&lt;domain&gt;</c>: cluster names are
    /// unique per organization only, and the claim keeps two tenants apart. The CRD makes services immutable.
    /// </summary>
    private static JsonArray Services(ClusterDnsName names) =>
    [
        Service("APIServer", names.ApiHostname),
        Service("Ignition", hostname: null),
        Service("Konnectivity", hostname: null),
        Service("OAuthServer", names.OAuthHostname),
    ];

    private static JsonObject Labels(Dictionary<string, string> labels) =>
        new(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));

    private static JsonArray Cidrs(string cidr) => [new JsonObject { ["cidr"] = cidr }];

    private static JsonObject Service(string service, string? hostname)
    {
        var strategy = new JsonObject { ["type"] = "Route" };
        if (hostname is not null)
        {
            strategy["route"] = new JsonObject { ["hostname"] = hostname };
        }

        return new JsonObject { ["service"] = service, ["servicePublishingStrategy"] = strategy };
    }
}
