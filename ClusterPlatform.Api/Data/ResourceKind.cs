namespace ClusterPlatform.Api.Data;

/// <summary>
/// What differs between clusters and node pools in storage. Both live in tables of the same shape,
/// so one store serves both; the table names here are constants, never request input.
/// </summary>
internal sealed record ResourceKind(string Name, string Table, string EventPrefix, string PathBase, string ClusterIdColumn, string NodePoolIdColumn)
{
    public static readonly ResourceKind Cluster = new("Cluster", "clusters", "cluster", "/api/v1/clusters", "id", "NULL::uuid");
    public static readonly ResourceKind NodePool = new("NodePool", "node_pools", "nodepool", "/api/v1/nodepools", "cluster_id", "id");

    public string Columns => QualifiedColumns(null);

    /// <summary>The row's columns in <see cref="ResourceRow"/> order, qualified with a table alias where a statement joins.</summary>
    public string QualifiedColumns(string? alias)
    {
        var a = alias is null ? "" : alias + ".";
        return $"{a}id, {a}{ClusterIdColumn} AS cluster_id, {a}organization, {a}name, {a}labels, {a}spec, {a}generation, {a}resource_version, " +
            $"{a}created_at, {a}updated_at, {a}created_by, {a}deletion_timestamp, {a}status";
    }

    public string Event(string verb) => $"{EventPrefix}.{verb}";

    // Only clusters are reconciled on a schedule; a cluster.reconcile covers its node pools.
    public string ReconcileColumn => this == Cluster ? ", next_reconcile_at" : "";
    public string ReconcileValue => this == Cluster ? ", now() + @not_ready_after" : "";
    public string ReconcileAssignment => this == Cluster ? ", next_reconcile_at = now() + @not_ready_after" : "";
}

/// <summary>One stored cluster or node pool. For clusters <c>ClusterId</c> equals <c>Id</c>. JSON columns stay text until mapped.</summary>
internal sealed record ResourceRow(
    Guid Id, Guid ClusterId, string Organization, string Name, string Labels, string Spec, long Generation, long ResourceVersion,
    DateTime CreatedAt, DateTime UpdatedAt, string CreatedBy, DateTime? DeletionTimestamp, string Status)
{
    /// <summary>Strong ETag from the resource version: it changes with labels, spec and deletion, not with status.</summary>
    public string ETag => $"\"{ResourceVersion}\"";

    public bool IsDeleting => DeletionTimestamp is not null;
}
