using System.Text.Json.Nodes;
using ClusterPlatform.Contracts;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// HyperShift resources on a management cluster. Every call names the management cluster by its
/// Kubernetes API endpoint (the fleet's "API endpoint"); the real provider keeps one client per endpoint.
/// </summary>
public interface IManagementClusterProvider
{
    /// <summary>
    /// Ensures the cluster's namespace and its service-account signing key (a Secret the
    /// HostedCluster's <c>serviceAccountSigningKey</c> names), making the key the first time, and
    /// returns its public half. The private key never leaves the management cluster.
    /// </summary>
    Task<ServiceAccountSigningKey> EnsureSigningKeyAsync(Uri managementCluster, Guid clusterId, HostedClusterRef cluster, string issuerUrl, CancellationToken cancellationToken);

    /// <summary>
    /// Ensures the namespace, the pull secret, the HostedCluster and exactly the given NodePools
    /// (node pools no longer in the input are deleted), then reports their status. Refuses, with a
    /// permanent <see cref="ProviderException"/> and nothing sent, a management cluster whose
    /// HyperShift CRDs do not admit the GCP platform.
    /// </summary>
    Task<HostedClusterStatus> ApplyAsync(Uri managementCluster, HostedClusterInput cluster, CancellationToken cancellationToken);

    Task<HostedClusterStatus> GetStatusAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the NodePools and the HostedCluster, then the namespace once they are gone, and
    /// says what is still there. HyperShift's finalizers (and the namespace's) make deletion take
    /// many reconciles: call again until <see cref="DeletionProgress.Gone"/>.
    /// </summary>
    Task<DeletionProgress> DeleteAsync(Uri managementCluster, HostedClusterRef cluster, CancellationToken cancellationToken);

    /// <summary>
    /// Carries one break-glass request a step towards its certificate: relays the user's CSR to
    /// HyperShift's customer-break-glass signer, approves it the way HyperShift expects, and reads the
    /// certificate back (docs/hypershift-pki.md). Idempotent and re-entrant: call once per reconcile
    /// until it is no longer <see cref="IssuanceProgress.Pending"/>.
    /// </summary>
    Task<IssuanceProgress> IssueCredentialAsync(Uri managementCluster, HostedClusterRef cluster, CredentialSigningWork work, CancellationToken cancellationToken);

    /// <summary>
    /// Carries one revocation a step: asks HyperShift to revoke every customer break-glass signer of
    /// the cluster, so every certificate issued before stops working. Idempotent and re-entrant like
    /// <see cref="IssueCredentialAsync"/>; each platform revocation is one HyperShift request.
    /// </summary>
    Task<RevocationProgress> RevokeCredentialsAsync(Uri managementCluster, HostedClusterRef cluster, Guid revocationId, CancellationToken cancellationToken);
}

/// <param name="Remaining">What still exists, for the status message; empty when gone.</param>
public sealed record DeletionProgress(IReadOnlyList<string> Remaining)
{
    public bool Gone => Remaining.Count == 0;

    public string Message => Gone ? "The HostedCluster, its NodePools and its namespace are gone."
        : $"Waiting for HyperShift to finish deleting: {string.Join(", ", Remaining)}.";
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

    /// <summary>The Secret holding the signing key, named as <c>hypershift create cluster gcp</c> names it (cmd/cluster/gcp/create.go).</summary>
    public string SigningKeySecret => $"{Name}-sa-token-issuer-key";

    /// <summary>The public half of the signing key, kept beside it so a reconcile never reads the private key back.</summary>
    public string SigningKeyJwksConfigMap => $"{Name}-sa-token-issuer-jwks";

    /// <summary>The etcd encryption key Secret, as <c>hypershift create cluster</c> names it (cmd/cluster/core/create.go).</summary>
    public string EtcdEncryptionKeySecret => $"{Name}-etcd-encryption-key";
}

/// <summary>What the platform knows about a cluster, in the terms the HyperShift resources need.</summary>
/// <param name="Infrastructure">The GCP resources HyperShift's commands created for the cluster's infra id.</param>
/// <param name="ProjectNumber">The project's number, which workload identity federation needs (environment validation reports it).</param>
/// <param name="Network">The VPC network of the nodes.</param>
/// <param name="Subnet">The nodes' subnet, also the Private Service Connect subnet (the guide: "same as --subnet").</param>
/// <param name="Names">The DNS names the platform claimed: the API server's and OAuth server's route hostnames.</param>
/// <param name="ReleaseVersion">The OpenShift version the cluster should run (MAJOR.MINOR.PATCH).</param>
/// <param name="ReleaseImage">That version's release image by digest (from the update graph).</param>
public sealed record HostedClusterInput(
    HostedClusterRef Ref,
    Guid ClusterId,
    GcpInfrastructureNames Infrastructure,
    ClusterDnsName Names,
    string ReleaseVersion,
    string ReleaseImage,
    string BaseDomain,
    string ProjectNumber,
    string Region,
    string Network,
    string Subnet,
    ClusterNetworks Networking,
    IReadOnlyList<NodePoolInput> NodePools)
{
    public string ProjectId => Infrastructure.ProjectId;
}

public sealed record ClusterNetworks(string MachineCidr, string PodCidr, string ServiceCidr);

/// <param name="Name">The platform's node pool name; the NodePool resource is named <c>&lt;cluster&gt;-&lt;name&gt;</c>.</param>
/// <param name="Replicas">Fixed size; null when <paramref name="Autoscaling"/> is given.</param>
/// <param name="ReleaseImage">The pool's release image by digest (the cluster's unless the pool pins a version).</param>
/// <param name="ReleaseVersion">The version of <paramref name="ReleaseImage"/> (MAJOR.MINOR.PATCH).</param>
/// <param name="Upgrade">How HyperShift rolls a new release out to the nodes; null leaves HyperShift's defaults (Replace, surge 1).</param>
public sealed record NodePoolInput(string Name, string MachineType, int? Replicas, NodePoolAutoscaling? Autoscaling, int DiskSizeGb, string ReleaseImage,
    string ReleaseVersion, NodePoolUpgrade? Upgrade = null);

/// <summary>
/// The NodePool's <c>spec.management</c>: the upgrade type and its rollout bounds, each a Kubernetes
/// IntOrString written as a string ("1", "25%").
/// </summary>
/// <param name="Type">Replace or InPlace (HyperShift's NodePool CRD: immutable once set).</param>
/// <param name="MaxSurge">Replace only: nodes above the desired count during the rollout.</param>
/// <param name="MaxUnavailable">Nodes that may be unavailable during the rollout.</param>
public sealed record NodePoolUpgrade(string Type, string? MaxSurge, string? MaxUnavailable);

public sealed record NodePoolAutoscaling(int Min, int Max);

/// <summary>
/// A HostedCluster's status as HyperShift reports it. A condition counts only when it was written
/// for the object's current <c>metadata.generation</c>: after a spec change, the old Available is stale.
/// </summary>
/// <param name="Exists">False when the HostedCluster is not there (never created, or deleted).</param>
/// <param name="ControlPlaneEndpoint">Where the API server answers (<c>status.controlPlaneEndpoint</c>), once HyperShift has published it.</param>
/// <param name="Version">HyperShift's <c>status.version</c>: the release it reconciles towards and its whole history, newest first.</param>
/// <param name="ConsoleUrl">The console by HyperShift's rule from the HostedCluster's spec as stored (HostedClusterUrls.Console), null without one.</param>
public sealed record HostedClusterStatus(
    bool Exists,
    long Generation,
    IReadOnlyList<ResourceCondition> Conditions,
    IReadOnlyList<NodePoolStatus> NodePools,
    ControlPlaneEndpoint? ControlPlaneEndpoint = null,
    ReleaseVersionStatus? Version = null,
    string? ConsoleUrl = null)
{
    public static readonly HostedClusterStatus Absent = new(false, 0, [], []);

    /// <summary>
    /// Conditions that say HyperShift cannot make progress without a change from outside
    /// (openshift/hypershift 3ee9615567acffaf3e3ee25c2ca2942d650565cf, api/hypershift/v1beta1/hostedcluster_conditions.go).
    /// </summary>
    private static readonly (string Type, string Bad)[] Problems =
    [
        ("ValidReleaseImage", "False"),
        ("ValidGCPWorkloadIdentity", "False"),
        ("ValidGCPCredentials", "False"),
        ("ReconciliationSucceeded", "False"),
        ("ValidConfiguration", "False"),
        ("SupportedHostedCluster", "False"),
        ("ValidHostedControlPlaneConfiguration", "False"),
        // A failing version rollout. HyperShift copies the CVO's conditions from the HostedControlPlane and
        // inverts ClusterVersionFailing into ClusterVersionSucceeding, so False is the bad value
        // (hypershift-operator/controllers/hostedcluster/hostedcluster_controller.go, "Copy the CVO
        // conditions from the HCP"); ClusterVersionReleaseAccepted=False is the CVO refusing the release.
        ("ClusterVersionSucceeding", "False"),
        ("ClusterVersionReleaseAccepted", "False"),
        ("Degraded", "True"),
    ];

    public bool Available => Current("Available") is { Status: "True" };

    /// <summary>The API server's URL once HyperShift has published its endpoint (HostedClusterUrls.Api).</summary>
    public string? ApiUrl => HostedClusterUrls.Api(ControlPlaneEndpoint);

    /// <summary>
    /// The console the cluster's status names: HyperShift's rule (<see cref="ConsoleUrl"/>) only once the
    /// HostedCluster is Available at its generation, since nothing upstream publishes it (docs/api.md "Cluster").
    /// </summary>
    public string? AvailableConsoleUrl => Available ? ConsoleUrl : null;

    /// <summary>HyperShift's Progressing, a version rollout still Partial, or Available not yet at this generation.</summary>
    public bool Progressing => Exists && !Degraded
        && (Current("Progressing") is { Status: "True" } || Version?.Latest is { State: ReleaseHistoryEntry.Partial } || Current("Available") is null);

    public bool Degraded => DegradedConditions.Any();

    /// <summary>The condition that makes it Degraded, HyperShift's own (its reason is HyperShift's).</summary>
    public ResourceCondition? Problem => DegradedConditions.FirstOrDefault();

    /// <summary>
    /// HyperShift's latest word on a rollout: the CVO's Progressing message ("Working towards 4.22.4: 106 of
    /// 829 done"), else the HostedCluster's own Progressing, else Available.
    /// </summary>
    public string? RolloutMessage => RolloutMessageSources.Select(Current).FirstOrDefault(c => c is { Message.Length: > 0 })?.Message;

    private static readonly string[] RolloutMessageSources = ["ClusterVersionProgressing", "Progressing", "Available"];

    /// <summary>The condition HyperShift's own message is taken from: a problem first, else Available.</summary>
    public string Message =>
        !Exists ? "HostedCluster does not exist"
        : DegradedConditions.FirstOrDefault() is { } problem ? $"{problem.Type}: {problem.Reason}: {problem.Message}"
        : Current("Available") is { } available ? $"{available.Reason}: {available.Message}"
        : Conditions.FirstOrDefault(c => c.Type == "Available") is { } stale
            ? $"HostedCluster generation {Generation} not yet observed (Available is from generation {stale.ObservedGeneration})"
            : "HostedCluster has not reported an Available condition yet";

    private IEnumerable<ResourceCondition> DegradedConditions =>
        Problems.Select(p => Current(p.Type) is { } c && c.Status == p.Bad ? c : null).OfType<ResourceCondition>();

    private ResourceCondition? Current(string type) =>
        Conditions.FirstOrDefault(c => c.Type == type && c.ObservedGeneration == Generation);
}

public sealed record ControlPlaneEndpoint(string Host, int Port);

/// <summary>
/// A HostedCluster's <c>status.version</c> (ClusterVersionStatus): <c>desired</c> with its image and
/// version, and <c>history</c>, newest first, as the CRD describes it ("The newest update is first in
/// the list and it is ordered by recency"; ClusterPlatform.Tests/Kubernetes/Crds/hostedclusters-*.crd.yaml,
/// status.version).
/// </summary>
/// <param name="DesiredVersion"><c>desired.version</c>; empty while HyperShift knows only the image.</param>
public sealed record ReleaseVersionStatus(string DesiredImage, string DesiredVersion, IReadOnlyList<ReleaseHistoryEntry> History)
{
    public ReleaseHistoryEntry? Latest => History.Count > 0 ? History[0] : null;
}

/// <summary>One <c>status.version.history</c> entry (OpenShift's UpdateHistory).</summary>
/// <param name="Version">Empty when HyperShift has not read the version from the image yet (a new Partial entry has only the image).</param>
/// <param name="State">Completed or Partial, as in OpenShift's ClusterVersion history.</param>
/// <param name="StartedTime"><c>startedTime</c>.</param>
/// <param name="CompletionTime"><c>completionTime</c>: null for the update being applied.</param>
public sealed record ReleaseHistoryEntry(string Version, string Image, string State, DateTime? StartedTime = null, DateTime? CompletionTime = null)
{
    public const string Partial = "Partial";
    public const string Completed = "Completed";
}

/// <param name="Name">The platform's node pool name (as in <see cref="NodePoolInput.Name"/>).</param>
/// <param name="Version">The NodePool's <c>status.version</c>: the version of the release last applied to all its nodes; null before the first.</param>
public sealed record NodePoolStatus(string Name, long Generation, int Replicas, IReadOnlyList<ResourceCondition> Conditions, string? Version = null)
{
    /// <summary>Ready at the NodePool's own current generation only.</summary>
    public bool Ready => Conditions.Any(c => c.Type == "Ready" && c.Status == "True" && c.ObservedGeneration == Generation);
}

/// <summary>A Kubernetes condition as HyperShift reports it; Status is "True", "False" or "Unknown".</summary>
/// <param name="ObservedGeneration">The generation the condition was written for; 0 when HyperShift did not say.</param>
public sealed record ResourceCondition(string Type, string Status, string? Reason, string? Message, long ObservedGeneration = 0)
{
    internal static IReadOnlyList<ResourceCondition> ListFrom(JsonNode? status) =>
        status?["conditions"] is JsonArray conditions
            ? conditions.OfType<JsonObject>().Select(c => new ResourceCondition(
                HyperShiftManifests.Text(c["type"]), HyperShiftManifests.Text(c["status"]) is { Length: > 0 } status ? status : "Unknown",
                HyperShiftManifests.Text(c["reason"]), HyperShiftManifests.Text(c["message"]),
                HyperShiftManifests.Number(c["observedGeneration"]) ?? 0)).ToList()
            : [];
}
