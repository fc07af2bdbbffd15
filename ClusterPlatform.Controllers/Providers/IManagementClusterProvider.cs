using System.Text.Json.Nodes;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift resources on a management cluster (operator-client-controller). Every call names the
/// management cluster by its Kubernetes API endpoint (the fleet's "API endpoint"); the real provider
/// keeps one client per endpoint.
/// </summary>
public interface IManagementClusterProvider
{
    /// <summary>
    /// Ensures the namespace, the HostedCluster and exactly the given NodePools (node pools no longer
    /// in the input are deleted), then reports their status.
    /// </summary>
    Task<HostedClusterStatus> ApplyAsync(Uri managementCluster, HostedClusterInput cluster, CancellationToken cancellationToken);

    Task<HostedClusterStatus> GetStatusAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the NodePools and the HostedCluster (then the namespace once they are gone) and says
    /// whether they are gone. HyperShift finalizers make deletion take time: call again until true.
    /// </summary>
    Task<bool> DeleteAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken);
}

public sealed record HostedClusterRef(string Namespace, string Name)
{
    /// <summary>
    /// Where a platform cluster lives on its management cluster. Names are unique only within an
    /// organization, so two tenants' "prod-east" may share a management cluster: the namespace comes
    /// from the cluster's id instead, and each HostedCluster has a namespace of its own. It is short
    /// because HyperShift puts the control plane in "&lt;namespace&gt;-&lt;name&gt;", a DNS label of at
    /// most 63 characters: 19 + 1 + 40 (the longest cluster name) = 60.
    /// </summary>
    public static HostedClusterRef For(Guid clusterId, string clusterName) =>
        new($"hc-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(clusterId.ToByteArray(bigEndian: true)))[..16]}", clusterName);
}

/// <summary>What the platform knows about a cluster, in the terms the HyperShift resources need.</summary>
/// <param name="ProjectNumber">The project's number, which workload identity federation needs (environment validation reports it).</param>
/// <param name="Network">The VPC network the nodes and the Private Service Connect endpoint use.</param>
/// <param name="ReleaseVersion">MAJOR.MINOR.PATCH, mapped to a release image.</param>
public sealed record HostedClusterInput(
    HostedClusterRef Ref,
    Guid ClusterId,
    string ReleaseVersion,
    string BaseDomain,
    string ProjectId,
    string ProjectNumber,
    string Region,
    string Network,
    ClusterNetworks Networking,
    IReadOnlyList<NodePoolInput> NodePools);

public sealed record ClusterNetworks(string MachineCidr, string PodCidr, string ServiceCidr);

/// <param name="Name">The platform's node pool name; the NodePool resource is named <c>&lt;cluster&gt;-&lt;name&gt;</c>.</param>
/// <param name="Replicas">Fixed size; null when <paramref name="Autoscaling"/> is given.</param>
/// <param name="ReleaseVersion">Null follows the cluster's release.</param>
public sealed record NodePoolInput(string Name, string MachineType, int? Replicas, NodePoolAutoscaling? Autoscaling, int DiskSizeGb, string? ReleaseVersion);

public sealed record NodePoolAutoscaling(int Min, int Max);

/// <param name="Exists">False when the HostedCluster is not there (never created, or deleted).</param>
public sealed record HostedClusterStatus(bool Exists, IReadOnlyList<ResourceCondition> Conditions, IReadOnlyList<NodePoolStatus> NodePools)
{
    public bool Available => Conditions.Any(c => c.Type == "Available" && c.Status == "True");

    /// <summary>The Available condition's message, for the controller's own condition.</summary>
    public string Message =>
        !Exists ? "HostedCluster does not exist"
        : Conditions.FirstOrDefault(c => c.Type == "Available") is { } available ? $"{available.Reason}: {available.Message}"
        : "HostedCluster has not reported an Available condition yet";
}

/// <param name="Name">The platform's node pool name (as in <see cref="NodePoolInput.Name"/>).</param>
public sealed record NodePoolStatus(string Name, int Replicas, IReadOnlyList<ResourceCondition> Conditions)
{
    public bool Ready => Conditions.Any(c => c.Type == "Ready" && c.Status == "True");
}

/// <summary>A Kubernetes-style condition as HyperShift reports it; Status is "True", "False" or "Unknown".</summary>
public sealed record ResourceCondition(string Type, string Status, string? Reason, string? Message)
{
    internal static IReadOnlyList<ResourceCondition> ListFrom(JsonNode? status) =>
        status?["conditions"] is JsonArray conditions
            ? conditions.OfType<JsonObject>().Select(c => new ResourceCondition(
                (string?)c["type"] ?? "", (string?)c["status"] ?? "Unknown", (string?)c["reason"], (string?)c["message"])).ToList()
            : [];
}
