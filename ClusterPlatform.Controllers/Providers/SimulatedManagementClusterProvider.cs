using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift resources kept in memory, one store per management cluster endpoint. A HostedCluster is
/// Available as soon as it is applied and gone as soon as it is deleted: the configured latency
/// stands in for HyperShift's real work.
/// </summary>
public sealed class SimulatedManagementClusterProvider : IManagementClusterProvider
{
    private readonly ConcurrentDictionary<SimulatedObjectKey, JsonObject> objects = new();
    private readonly ManagementClusterOptions options;
    private readonly SimulatedFaults faults;

    internal SimulatedManagementClusterProvider(IOptions<ProviderOptions> options, SimulatedFaults faults)
    {
        this.options = options.Value.ManagementClusters;
        this.faults = faults;
    }

    /// <summary>A snapshot of every stored object (namespaces, HostedClusters, NodePools) and its manifest.</summary>
    public IReadOnlyDictionary<SimulatedObjectKey, JsonObject> Objects =>
        objects.ToDictionary(entry => entry.Key, entry => (JsonObject)entry.Value.DeepClone());

    public async Task<HostedClusterStatus> ApplyAsync(Uri managementCluster, HostedClusterInput cluster, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("hostedcluster-apply", cluster.Ref.Name, cancellationToken);
        var @namespace = cluster.Ref.Namespace;
        objects.TryAdd(Key(managementCluster, "Namespace", "", @namespace), new JsonObject
        {
            ["metadata"] = new JsonObject
            {
                ["name"] = @namespace,
                ["labels"] = new JsonObject(HyperShiftManifests.NamespaceLabels(cluster).Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value))),
            },
        });

        var hostedCluster = HyperShiftManifests.HostedCluster(cluster, options);
        hostedCluster["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(Condition("Available", "AsExpected", "simulated hosted control plane is available")),
        };
        objects[Key(managementCluster, "HostedCluster", @namespace, cluster.Ref.Name)] = hostedCluster;

        var wanted = new HashSet<SimulatedObjectKey>();
        foreach (var pool in cluster.NodePools)
        {
            var nodePool = HyperShiftManifests.NodePool(cluster, pool, options);
            nodePool["status"] = new JsonObject
            {
                ["replicas"] = pool.Replicas ?? pool.Autoscaling?.Min ?? 0,
                ["conditions"] = new JsonArray(Condition("Ready", "AsExpected", "simulated node pool is ready")),
            };
            var key = Key(managementCluster, "NodePool", @namespace, HyperShiftManifests.NodePoolResourceName(cluster.Ref, pool.Name));
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

    public async Task<bool> DeleteAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("hostedcluster-delete", cluster.Name, cancellationToken);
        foreach (var key in NodePoolKeys(managementCluster, cluster))
        {
            objects.TryRemove(key, out _);
        }

        objects.TryRemove(Key(managementCluster, "HostedCluster", cluster.Namespace, cluster.Name), out _);
        objects.TryRemove(Key(managementCluster, "Namespace", "", cluster.Namespace), out _);
        return true;
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

    private static JsonObject Condition(string type, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = "True",
        ["reason"] = reason,
        ["message"] = message,
    };
}

/// <param name="Kind">Namespace, HostedCluster or NodePool; a namespace's own Namespace is empty.</param>
public sealed record SimulatedObjectKey(string ManagementCluster, string Kind, string Namespace, string Name);
