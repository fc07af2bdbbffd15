using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift resources kept in memory, one store per management cluster endpoint. The stored
/// HostedCluster and NodePools are the very objects the real provider applies
/// (<see cref="HyperShiftManifests"/>); a HostedCluster is Available at its generation, with a
/// control-plane endpoint, as soon as it is applied, and gone as soon as it is deleted: the
/// configured latency stands in for HyperShift's real work.
/// </summary>
public sealed class SimulatedManagementClusterProvider : IManagementClusterProvider
{
    /// <summary>A smaller key than the real provider's 4096 bits: a local run makes one per cluster, and the simulation only needs its shape.</summary>
    internal const int SimulatedKeyBits = 2048;

    private readonly ConcurrentDictionary<SimulatedObjectKey, JsonObject> objects = new();
    private readonly IOptions<ProviderOptions> options;
    private readonly SimulatedFaults faults;

    internal SimulatedManagementClusterProvider(IOptions<ProviderOptions> options, SimulatedFaults faults)
    {
        this.options = options;
        this.faults = faults;
    }

    /// <summary>A snapshot of every stored object (namespaces, key Secrets, HostedClusters, NodePools) and its manifest.</summary>
    public IReadOnlyDictionary<SimulatedObjectKey, JsonObject> Objects =>
        objects.ToDictionary(entry => entry.Key, entry => (JsonObject)entry.Value.DeepClone());

    public async Task<ServiceAccountSigningKey> EnsureSigningKeyAsync(Uri managementCluster, Guid clusterId, HostedClusterRef cluster, string issuerUrl, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("signing-key", cluster.Name, cancellationToken);
        objects.TryAdd(Key(managementCluster, "Namespace", "", cluster.Namespace), HyperShiftManifests.Namespace(clusterId, cluster));
        // Only the public half is kept, as in the real provider's JWKS ConfigMap.
        var jwks = objects.GetOrAdd(Key(managementCluster, "ConfigMap", cluster.Namespace, cluster.SigningKeyJwksConfigMap),
            _ => new JsonObject { ["data"] = new JsonObject { ["jwks.json"] = SigningKeyMaterial.Generate(SimulatedKeyBits, issuerUrl).PublicKey.Jwks } });
        return SigningKeyMaterial.FromJwks((string)jwks["data"]!["jwks.json"]!, issuerUrl);
    }

    public async Task<HostedClusterStatus> ApplyAsync(Uri managementCluster, HostedClusterInput cluster, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("hostedcluster-apply", cluster.Ref.Name, cancellationToken);
        faults.ThrowIfRefused("hostedcluster-apply", cluster.Ref.Name);
        var @namespace = cluster.Ref.Namespace;
        objects.TryAdd(Key(managementCluster, "Namespace", "", @namespace), HyperShiftManifests.Namespace(cluster.ClusterId, cluster.Ref));

        var hostedClusterKey = Key(managementCluster, "HostedCluster", @namespace, cluster.Ref.Name);
        var hostedCluster = Stored(hostedClusterKey, HyperShiftManifests.HostedCluster(cluster, WithCapiProviderGcpImage(cluster.ReleaseVersion)));
        hostedCluster["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(Condition("Available", "AsExpected", "simulated hosted control plane is available", hostedCluster)),
            // For a Route with a hostname, HyperShift reports the hostname and port 443 (kas/service.go ReconcileServiceStatus).
            ["controlPlaneEndpoint"] = new JsonObject { ["host"] = cluster.Names.ApiHostname, ["port"] = 443 },
            ["version"] = new JsonObject
            {
                ["history"] = new JsonArray(new JsonObject { ["image"] = cluster.ReleaseImage, ["state"] = "Completed", ["version"] = cluster.ReleaseVersion }),
            },
        };
        objects[hostedClusterKey] = hostedCluster;

        var wanted = new HashSet<SimulatedObjectKey>();
        foreach (var pool in cluster.NodePools)
        {
            var key = Key(managementCluster, "NodePool", @namespace, HyperShiftManifests.NodePoolResourceName(cluster.Ref, pool.Name));
            var nodePool = Stored(key, HyperShiftManifests.NodePool(cluster, pool));
            nodePool["status"] = new JsonObject
            {
                ["replicas"] = pool.Replicas ?? pool.Autoscaling?.Min ?? 0,
                ["conditions"] = new JsonArray(Condition("Ready", "AsExpected", "simulated node pool is ready", nodePool)),
            };
            objects[key] = nodePool;
            wanted.Add(key);
        }

        foreach (var stale in NodePoolKeys(managementCluster, cluster.Ref).Where(key => !wanted.Contains(key)))
        {
            objects.TryRemove(stale, out _);
        }

        return Status(managementCluster, cluster.Ref);
    }

    public async Task<HostedClusterStatus> GetStatusAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("hostedcluster-get", cluster.Name, cancellationToken);
        return Status(managementCluster, cluster);
    }

    public async Task<DeletionProgress> DeleteAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("hostedcluster-delete", cluster.Name, cancellationToken);
        if (objects.ContainsKey(Key(managementCluster, "HostedCluster", cluster.Namespace, cluster.Name))
            && faults.Attempt("hostedcluster-delete", $"{Normalize(managementCluster)}|{cluster.Namespace}") <= options.Value.Simulation.DeletionReconciles)
        {
            return new DeletionProgress([$"HostedCluster {cluster.Name} (simulated finalizers)"]);
        }

        // The namespace takes everything in it with it, as a real namespace deletion does.
        foreach (var key in objects.Keys.Where(k => k.ManagementCluster == Normalize(managementCluster)
                     && (k.Namespace == cluster.Namespace || (k.Kind == "Namespace" && k.Name == cluster.Namespace))))
        {
            objects.TryRemove(key, out _);
        }

        return new DeletionProgress([]);
    }

    /// <summary>
    /// The object as the API server would store it: metadata.generation 1 on create, +1 when the
    /// spec changes, so the simulated conditions carry a real observedGeneration.
    /// </summary>
    private JsonObject Stored(SimulatedObjectKey key, JsonObject applied)
    {
        var generation = objects.TryGetValue(key, out var previous)
            ? (long)previous["metadata"]!["generation"]! + (JsonNode.DeepEquals(previous["spec"], applied["spec"]) ? 0 : 1)
            : 1;
        applied["metadata"]!["generation"] = generation;
        return applied;
    }

    /// <summary>
    /// A local run cannot read release payloads, so a release that needs its CAPG image named gets a
    /// stable simulated digest unless one is configured; the annotation is then the real one.
    /// </summary>
    private ManagementClusterOptions WithCapiProviderGcpImage(string version)
    {
        var configured = options.Value.ManagementClusters;
        if (configured.CapiProviderGcpImages.ContainsKey(version) || !HyperShiftManifests.NeedsCapiProviderGcpImage(version))
        {
            return configured;
        }

        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"cluster-api-provider-gcp {version}")));
        return new ManagementClusterOptions
        {
            PullSecretName = configured.PullSecretName,
            CapiProviderGcpImages = new(configured.CapiProviderGcpImages, StringComparer.Ordinal) { [version] = $"quay.io/openshift-release-dev/ocp-v4.0-art-dev@sha256:{digest}" },
        };
    }

    private HostedClusterStatus Status(Uri managementCluster, HostedClusterRef cluster) => HyperShiftManifests.Status(
        objects.GetValueOrDefault(Key(managementCluster, "HostedCluster", cluster.Namespace, cluster.Name)),
        NodePoolKeys(managementCluster, cluster).Select(key => objects.GetValueOrDefault(key)).OfType<JsonObject>());

    private List<SimulatedObjectKey> NodePoolKeys(Uri managementCluster, HostedClusterRef cluster) =>
        objects.Where(entry => entry.Key.Kind == "NodePool"
                && entry.Key.ManagementCluster == Normalize(managementCluster)
                && entry.Key.Namespace == cluster.Namespace
                && (string?)entry.Value["spec"]?["clusterName"] == cluster.Name)
            .Select(entry => entry.Key)
            .ToList();

    private static SimulatedObjectKey Key(Uri managementCluster, string kind, string @namespace, string name) =>
        new(Normalize(managementCluster), kind, @namespace, name);

    private static string Normalize(Uri managementCluster) => managementCluster.AbsoluteUri.TrimEnd('/');

    private static JsonObject Condition(string type, string reason, string message, JsonObject resource) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
        ["observedGeneration"] = (long)resource["metadata"]!["generation"]!,
    };
}

/// <param name="Kind">Namespace, ConfigMap, HostedCluster or NodePool; a namespace's own Namespace is empty.</param>
public sealed record SimulatedObjectKey(string ManagementCluster, string Kind, string Namespace, string Name);
