namespace ClusterPlatform.Contracts;

/// <summary>A HyperShift management cluster that hosts control planes in one region.</summary>
public sealed record ManagementCluster(string Name, string Region, int Capacity, int Load, string ApiEndpoint, string IngressTarget);

/// <summary>Body of <c>PUT /api/v1/management-clusters/{name}</c>.</summary>
public sealed record ManagementClusterRequest(string Region, int Capacity, string ApiEndpoint, string IngressTarget);

/// <summary>The fleet.</summary>
public sealed record ManagementClusterList(string Kind, IReadOnlyList<ManagementCluster> Items);
