using System.ComponentModel;
using System.Text.Json.Serialization;

namespace ClusterPlatform.Contracts;

/// <summary>A hosted OpenShift cluster as the API returns it.</summary>
public sealed record Cluster(
    string Kind,
    Guid Id,
    string Href,
    string Name,
    string Organization,
    IReadOnlyDictionary<string, string> Labels,
    ClusterSpec Spec,
    long Generation,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string CreatedBy,
    DateTime? DeletionTimestamp,
    ResourceStatus Status);

public sealed record ClusterSpec(GcpSpec Gcp, ReleaseSpec Release, NetworkingSpec Networking, DnsSpec Dns);

/// <summary>
/// Where the cluster runs on Google Cloud. Always complete in responses and in what controllers read:
/// the Api fills in what a create leaves out. <c>infraId</c>, <c>network</c> and <c>subnet</c> are immutable.
/// </summary>
/// <param name="Network">The VPC network of the nodes; defaults to <c>&lt;infraId&gt;-network</c>.</param>
/// <param name="InfraId">
/// The id HyperShift's commands name the cluster's GCP resources by (<c>hypershift create infra|iam gcp
/// --infra-id</c>). The Api derives it at create when the request names none.
/// </param>
/// <param name="Subnet">The worker nodes' and Private Service Connect subnet; defaults to <c>&lt;infraId&gt;-subnet</c>.</param>
public sealed record GcpSpec(
    string ProjectId,
    string Region,
    [property: Description("The VPC network of the nodes. Defaults to `<infraId>-network`, the network `hypershift create infra gcp` creates. Immutable.")]
    string Network,
    [property: Description("The id the cluster's GCP resources are named by: pass it as `--infra-id` to `hypershift create infra gcp` and `hypershift create iam gcp`. 2–13 characters `^[a-z][a-z0-9-]{0,11}[a-z0-9]$`, not starting with `gcp-` and without `--`. Derived from the cluster's name and id when a create names none. Immutable.")]
    string InfraId,
    [property: Description("The subnet of the nodes and the Private Service Connect endpoint. Defaults to `<infraId>-subnet`, the subnet `hypershift create infra gcp` creates. Immutable.")]
    string Subnet);

/// <summary>
/// The OpenShift release of a cluster: the version it should run, and the channel group (<c>stable</c>,
/// <c>fast</c>, <c>candidate</c>) its version and upgrades are chosen from. A create that names no
/// channel group gets <c>stable</c>; responses always carry both.
/// </summary>
public sealed record ReleaseSpec(string Version, string ChannelGroup);

public sealed record NetworkingSpec(string MachineCidr, string PodCidr, string ServiceCidr);

public sealed record DnsSpec(string BaseDomain);

/// <summary>Body of <c>POST /api/v1/clusters</c>.</summary>
public sealed record ClusterCreateRequest(
    string Name,
    IReadOnlyDictionary<string, string>? Labels,
    ClusterSpec Spec);

/// <summary>Body of <c>PUT /api/v1/clusters/{id}</c> (full replace) and the document a merge patch applies to.</summary>
public sealed record ClusterUpdateRequest(
    IReadOnlyDictionary<string, string>? Labels,
    ClusterSpec Spec);

/// <summary>A page of a list. <c>Continue</c> is an opaque cursor for the next page, null on the last.</summary>
public sealed record ResourceList<T>(string Kind, IReadOnlyList<T> Items, [property: JsonPropertyName("continue")] string? Continue);
