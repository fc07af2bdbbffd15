namespace ClusterPlatform.Api.Data;

/// <summary>
/// A kind of resource the API serves: clusters and node pools live in tables of the same shape, so one
/// store and one set of handlers serve both. The names here are constants, never request input.
/// </summary>
internal sealed record ResourceKind(string Name, string Table, string PathBase, ResourceStatements Sql)
{
    public static readonly ResourceKind Cluster = new("Cluster", "clusters", "/api/v1/clusters", ResourceStatements.Cluster);
    public static readonly ResourceKind NodePool = new("NodePool", "node_pools", "/api/v1/nodepools", ResourceStatements.NodePool);
}
