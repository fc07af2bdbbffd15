using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ClusterPlatform.Contracts;
using Microsoft.Extensions.Options;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift resources kept in memory, one store per management cluster endpoint. The stored
/// HostedCluster and NodePools are the very objects the real provider applies
/// (<see cref="HyperShiftManifests"/>); a HostedCluster is Available at its generation, with a
/// control-plane endpoint, as soon as it is applied, and gone as soon as it is deleted: the
/// configured latency stands in for HyperShift's real work. An upgrade plays as HyperShift plays
/// it (<see cref="PlayRelease"/>): a new release image adds a Partial history entry, newest first,
/// which turns Completed after <see cref="SimulationOptions.UpgradeDuration"/> while Available stays True.
/// </summary>
public sealed class SimulatedManagementClusterProvider : IManagementClusterProvider
{
    /// <summary>A smaller key than the real provider's 4096 bits: a local run makes one per cluster, and the simulation only needs its shape.</summary>
    internal const int SimulatedKeyBits = 2048;

    private readonly ConcurrentDictionary<SimulatedObjectKey, JsonObject> objects = new();
    private readonly IOptions<ProviderOptions> options;
    private readonly SimulatedFaults faults;
    private readonly TimeProvider time;
    private readonly SimulatedBreakGlassSigner signer;

    // One writer at a time: an apply reads the previous status (the history) to write the next.
    private readonly Lock gate = new();

    internal SimulatedManagementClusterProvider(IOptions<ProviderOptions> options, SimulatedFaults faults, TimeProvider time)
    {
        this.options = options;
        this.faults = faults;
        this.time = time;
        signer = new SimulatedBreakGlassSigner(time);
    }

    /// <summary>The simulated break-glass signer: each hosted cluster's CA and the revocations carried out.</summary>
    internal SimulatedBreakGlassSigner BreakGlass => signer;

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
        lock (gate)
        {
            return Apply(managementCluster, cluster);
        }
    }

    private HostedClusterStatus Apply(Uri managementCluster, HostedClusterInput cluster)
    {
        var @namespace = cluster.Ref.Namespace;
        var now = time.GetUtcNow().UtcDateTime;
        objects.TryAdd(Key(managementCluster, "Namespace", "", @namespace), HyperShiftManifests.Namespace(cluster.ClusterId, cluster.Ref));

        var hostedClusterKey = Key(managementCluster, "HostedCluster", @namespace, cluster.Ref.Name);
        var previousVersion = objects.GetValueOrDefault(hostedClusterKey)?["status"]?["version"];
        var hostedCluster = Stored(hostedClusterKey, HyperShiftManifests.HostedCluster(cluster, WithCapiProviderGcpImage(cluster.ReleaseVersion)));
        hostedCluster["status"] = new JsonObject
        {
            ["conditions"] = new JsonArray(Condition("Available", "AsExpected", "simulated hosted control plane is available", hostedCluster)),
            // For a Route with a hostname, HyperShift reports the hostname and port 443 (kas/service.go ReconcileServiceStatus).
            // A long, as a number read off the wire is (HyperShiftManifests.Number): an int would read as no port.
            ["controlPlaneEndpoint"] = new JsonObject { ["host"] = cluster.Names.ApiHostname, ["port"] = 443L },
            ["version"] = PlayRelease(previousVersion, cluster.ReleaseImage, cluster.ReleaseVersion, (long)hostedCluster["metadata"]!["generation"]!, now),
        };
        objects[hostedClusterKey] = hostedCluster;

        var wanted = new HashSet<SimulatedObjectKey>();
        foreach (var pool in cluster.NodePools)
        {
            var key = Key(managementCluster, "NodePool", @namespace, HyperShiftManifests.NodePoolResourceName(cluster.Ref, pool.Name));
            var previous = objects.GetValueOrDefault(key);
            var nodePool = Stored(key, HyperShiftManifests.NodePool(cluster, pool));
            nodePool["status"] = new JsonObject
            {
                ["replicas"] = pool.Replicas ?? pool.Autoscaling?.Min ?? 0,
                ["conditions"] = new JsonArray(Condition("Ready", "AsExpected", "simulated node pool is ready", nodePool)),
                ["version"] = (string?)previous?["status"]?["version"] ?? pool.ReleaseVersion,
            };
            StartRollout(nodePool, previous?["status"]?[Rollout], pool.ReleaseVersion, now);
            objects[key] = nodePool;
            wanted.Add(key);
        }

        foreach (var stale in NodePoolKeys(managementCluster, cluster.Ref).Where(key => !wanted.Contains(key)))
        {
            objects.TryRemove(stale, out _);
        }

        return Status(managementCluster, cluster.Ref);
    }

    /// <summary>
    /// <c>status.version</c> the way HyperShift computes it (openshift/hypershift
    /// 3ee9615567acffaf3e3ee25c2ca2942d650565cf, hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go
    /// computeClusterVersionStatus, with the CVO's history as the HostedControlPlane reports it): a new
    /// release image becomes <c>desired</c> and a new <c>Partial</c> entry first in the history, the
    /// entry before it gets its completion time ("Completion time will always be set for entries that
    /// are not the current update", the CRD), and the rollout is <c>Completed</c> once it is done, here
    /// <see cref="SimulationOptions.UpgradeDuration"/> after it started. The first install is complete at once.
    /// </summary>
    private static JsonObject PlayRelease(JsonNode? previous, string image, string version, long generation, DateTime now)
    {
        var history = previous?["history"] is JsonArray { Count: > 0 } kept ? kept.DeepClone().AsArray() : null;
        if (history is null)
        {
            history = [HistoryEntry(image, version, ReleaseHistoryEntry.Completed, now, now)];
        }
        else if ((string?)previous!["desired"]?["image"] != image)
        {
            if (history[0] is JsonObject superseded && superseded["completionTime"] is null)
            {
                superseded["completionTime"] = Rfc3339(now);
            }

            history.Insert(0, HistoryEntry(image, version, ReleaseHistoryEntry.Partial, now, completed: null));
        }

        return new JsonObject
        {
            ["desired"] = new JsonObject { ["image"] = image, ["version"] = version },
            ["history"] = history,
            ["availableUpdates"] = null,
            ["observedGeneration"] = generation,
        };
    }

    /// <summary>
    /// While the newest entry is Partial, the CVO's Progressing (which HyperShift copies onto the
    /// HostedCluster as ClusterVersionProgressing) says what it works towards; the rollout is done
    /// <see cref="SimulationOptions.UpgradeDuration"/> after it started.
    /// </summary>
    private void CompleteIfDue(JsonObject? hostedCluster, DateTime now)
    {
        if (hostedCluster?["status"]?["version"]?["history"] is not JsonArray { Count: > 0 } history || history[0] is not JsonObject latest
            || (string?)latest["state"] != ReleaseHistoryEntry.Partial)
        {
            return;
        }

        var conditions = hostedCluster["status"]!["conditions"]!.AsArray();
        foreach (var progressing in conditions.Where(c => (string?)c?["type"] == ClusterVersionProgressing).ToList())
        {
            conditions.Remove(progressing);
        }

        var done = Time(latest["startedTime"]) + options.Value.Simulation.UpgradeDuration;
        if (now >= done)
        {
            latest["state"] = ReleaseHistoryEntry.Completed;
            latest["completionTime"] = Rfc3339(done);
            return;
        }

        conditions.Add(Condition(ClusterVersionProgressing, "AsExpected", $"simulated: working towards {(string?)latest["version"]}", hostedCluster));
    }

    private const string ClusterVersionProgressing = "ClusterVersionProgressing";

    /// <summary>Where the simulation keeps a NodePool's rollout (target version, start); not a HyperShift field, and nothing reads it but the simulation.</summary>
    private const string Rollout = "simulatedRollout";

    /// <summary>
    /// A NodePool's <c>status.version</c> is the version of the release last applied to all its nodes
    /// (the NodePool CRD): it stays at the old version while a new release rolls out, with HyperShift's
    /// <c>UpdatingVersion</c> condition True (api/hypershift/v1beta1/nodepool_conditions.go), and moves
    /// after <see cref="SimulationOptions.UpgradeDuration"/>; Ready stays True, as a surge rollout keeps nodes serving.
    /// </summary>
    private void StartRollout(JsonObject nodePool, JsonNode? previousRollout, string version, DateTime now)
    {
        var status = nodePool["status"]!.AsObject();
        if ((string?)status["version"] == version)
        {
            return;
        }

        status[Rollout] = (string?)previousRollout?["version"] == version
            ? previousRollout!.DeepClone()
            : new JsonObject { ["version"] = version, ["startedTime"] = Rfc3339(now) };
        status["conditions"]!.AsArray().Add(Condition("UpdatingVersion", "AsExpected", $"simulated: updating version to {version}", nodePool));
        RollIfDue(nodePool, now);
    }

    private void RollIfDue(JsonObject nodePool, DateTime now)
    {
        var status = nodePool["status"]!.AsObject();
        if (status[Rollout] is JsonObject rollout && now >= Time(rollout["startedTime"]) + options.Value.Simulation.UpgradeDuration)
        {
            status["version"] = (string?)rollout["version"];
            status.Remove(Rollout);
            var conditions = status["conditions"]!.AsArray();
            foreach (var updating in conditions.Where(c => (string?)c?["type"] == "UpdatingVersion").ToList())
            {
                conditions.Remove(updating);
            }
        }
    }

    private static DateTime Time(JsonNode? rfc3339) =>
        DateTime.Parse((string)rfc3339!, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AdjustToUniversal);

    private static JsonObject HistoryEntry(string image, string version, string state, DateTime started, DateTime? completed) => new()
    {
        ["state"] = state,
        ["image"] = image,
        ["version"] = version,
        ["startedTime"] = Rfc3339(started),
        ["completionTime"] = completed is { } at ? Rfc3339(at) : null,
        ["verified"] = true,
    };

    private static string Rfc3339(DateTime time) => time.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    public async Task<HostedClusterStatus> GetStatusAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("hostedcluster-get", cluster.Name, cancellationToken);
        lock (gate)
        {
            return Status(managementCluster, cluster);
        }
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

        signer.Forget(Normalize(managementCluster), cluster);
        return new DeletionProgress([]);
    }

    public async Task<IssuanceProgress> IssueCredentialAsync(Uri managementCluster, HostedClusterRef cluster, CredentialSigningWork work, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("credential-issue", cluster.Name, cancellationToken);
        return objects.ContainsKey(Key(managementCluster, "HostedCluster", cluster.Namespace, cluster.Name))
            ? signer.Issue(Normalize(managementCluster), cluster, work)
            : new IssuanceProgress.Pending($"HostedCluster {cluster.Name} does not exist: no control plane signs yet.");
    }

    public async Task<RevocationProgress> RevokeCredentialsAsync(Uri managementCluster, HostedClusterRef cluster, Guid revocationId, CancellationToken cancellationToken)
    {
        await faults.BeforeCallAsync("credential-revoke", cluster.Name, cancellationToken);
        return objects.ContainsKey(Key(managementCluster, "HostedCluster", cluster.Namespace, cluster.Name))
            ? signer.Revoke(Normalize(managementCluster), cluster, revocationId)
            : new RevocationProgress.Pending($"HostedCluster {cluster.Name} does not exist: no control plane to revoke with yet.");
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

    /// <summary>The status as of now: rollouts that are due have completed, whether or not anything was applied since.</summary>
    private HostedClusterStatus Status(Uri managementCluster, HostedClusterRef cluster)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var hostedCluster = objects.GetValueOrDefault(Key(managementCluster, "HostedCluster", cluster.Namespace, cluster.Name));
        CompleteIfDue(hostedCluster, now);
        var nodePools = NodePoolKeys(managementCluster, cluster).Select(key => objects.GetValueOrDefault(key)).OfType<JsonObject>().ToList();
        foreach (var nodePool in nodePools)
        {
            RollIfDue(nodePool, now);
        }

        return HyperShiftManifests.Status(hostedCluster, nodePools);
    }

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
