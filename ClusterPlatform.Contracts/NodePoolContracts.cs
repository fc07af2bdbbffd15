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

/// <summary>Exactly one of <c>Replicas</c> and <c>Autoscaling</c> is set.</summary>
public sealed record NodePoolSpec(int? Replicas, string MachineType, int DiskSizeGb, string Version, AutoscalingSpec? Autoscaling, NodePoolManagement? Management);

/// <summary>How HyperShift rolls a new release out to the pool's nodes (the NodePool's <c>spec.management</c>).</summary>
/// <param name="UpgradeType">Replace (new machines) or InPlace (the existing ones).</param>
/// <param name="MaxSurge">Kubernetes IntOrString as a string ("1", "25%"); Replace only.</param>
/// <param name="MaxUnavailable">Kubernetes IntOrString as a string ("0", "10%").</param>
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
