namespace ClusterPlatform.Api.Endpoints;

/// <summary>Stored rows to wire resources.</summary>
internal static class ResourceMapper
{
    public static Cluster ToCluster(ResourceRow row) => new(
        ResourceKind.Cluster.Name, row.Id, Href(ResourceKind.Cluster, row.Id), row.Name, row.Organization,
        StoredJson.Read<Dictionary<string, string>>(row.Labels), StoredJson.Read<ClusterSpec>(row.Spec), row.Generation,
        row.CreatedAt, row.UpdatedAt, row.CreatedBy, row.DeletionTimestamp, StoredJson.Read<ResourceStatus>(row.Status));

    public static NodePool ToNodePool(ResourceRow row) => new(
        ResourceKind.NodePool.Name, row.Id, Href(ResourceKind.NodePool, row.Id), row.ClusterId, row.Name,
        StoredJson.Read<Dictionary<string, string>>(row.Labels), StoredJson.Read<NodePoolSpec>(row.Spec), row.Generation,
        row.CreatedAt, row.UpdatedAt, row.CreatedBy, row.DeletionTimestamp, StoredJson.Read<ResourceStatus>(row.Status));

    /// <summary>The user-owned document <c>{labels, spec}</c> that PUT replaces and merge patches apply to.</summary>
    public static JsonElement UserDocument(ResourceRow row) =>
        JsonDocument.Parse($$"""{"labels":{{row.Labels}},"spec":{{row.Spec}}}""").RootElement.Clone();

    /// <summary>Parsed labels and spec as the jsonb text the store writes.</summary>
    public static (string Labels, string Spec) Stored<TSpec>(IReadOnlyDictionary<string, string>? labels, TSpec spec) =>
        (StoredJson.Write(labels), StoredJson.Write(spec));

    public static string Href(ResourceKind kind, Guid id) => $"{kind.PathBase}/{id}";
}
