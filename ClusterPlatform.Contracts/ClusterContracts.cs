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

/// <param name="InfraId">
/// The id HyperShift's commands name the cluster's GCP resources by (<c>hypershift create infra|iam gcp
/// --infra-id</c>). The Api derives it at create when the request names none; immutable.
/// </param>
/// <param name="Subnet">The worker nodes' and Private Service Connect subnet; defaults to <c>&lt;infraId&gt;-subnet</c>.</param>
public sealed record GcpSpec(string ProjectId, string Region, string Network, string InfraId, string Subnet);

public sealed record ReleaseSpec(string Version);

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
