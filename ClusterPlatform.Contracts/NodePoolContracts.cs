namespace ClusterPlatform.Contracts;

/// <summary>A pool of worker nodes of one cluster.</summary>
public sealed record NodePool(
    string Kind,
    Guid Id,
    string Href,
    Guid ClusterId,
    string Name,
    IReadOnlyDictionary<string, string> Labels,
    NodePoolSpec Spec,
    long Generation,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string CreatedBy,
    DateTime? DeletionTimestamp,
    ResourceStatus Status);

/// <summary>
/// Exactly one of <c>Replicas</c> and <c>Autoscaling</c> is set. <c>Version</c> defaults to the cluster's
/// current control-plane version; <c>Management</c> is always complete in responses (the Api fills its defaults).
/// </summary>
public sealed record NodePoolSpec(int? Replicas, string MachineType, int DiskSizeGb, string Version, AutoscalingSpec? Autoscaling,
    NodePoolManagement? Management);

/// <summary>
/// How HyperShift rolls a new version or configuration out to the pool's nodes (the NodePool's
/// <c>spec.management</c>). <c>UpgradeType</c> is <c>Replace</c> (new machines, rolling update with
/// <c>MaxSurge</c> and <c>MaxUnavailable</c>) or <c>InPlace</c> (existing machines updated,
/// <c>MaxUnavailable</c> at a time; no <c>MaxSurge</c>). The two are Kubernetes IntOrString values
/// written as strings: <c>"1"</c> or <c>"25%"</c>.
/// </summary>
public sealed record NodePoolManagement(string UpgradeType, string? MaxSurge, string? MaxUnavailable);

public sealed record AutoscalingSpec(int Min, int Max);

/// <summary>Body of <c>POST /api/v1/nodepools</c>.</summary>
public sealed record NodePoolCreateRequest(
    Guid ClusterId,
    string Name,
    IReadOnlyDictionary<string, string>? Labels,
    NodePoolSpec Spec);

/// <summary>Body of <c>PUT /api/v1/nodepools/{id}</c> (full replace) and the document a merge patch applies to.</summary>
public sealed record NodePoolUpdateRequest(
    IReadOnlyDictionary<string, string>? Labels,
    NodePoolSpec Spec);
