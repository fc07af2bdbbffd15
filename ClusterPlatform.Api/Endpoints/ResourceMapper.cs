using System.Text.Json;
using ClusterPlatform.Contracts;
using ClusterPlatform.Api.Data;

namespace ClusterPlatform.Api.Endpoints;

/// <summary>Stored rows to wire resources, and typed values to the JSON text stored in jsonb columns.</summary>
internal static class ResourceMapper
{
    // The same options ASP.NET uses for responses (camelCase), so stored and returned JSON agree.
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    public static Cluster ToCluster(ResourceRow row) => new(
        ResourceKind.Cluster.Name, row.Id, Href(ResourceKind.Cluster, row.Id), row.Name, row.Organization,
        Read<Dictionary<string, string>>(row.Labels), Read<ClusterSpec>(row.Spec), row.Generation,
        row.CreatedAt, row.UpdatedAt, row.CreatedBy, row.DeletionTimestamp, Read<ResourceStatus>(row.Status));

    public static NodePool ToNodePool(ResourceRow row) => new(
        ResourceKind.NodePool.Name, row.Id, Href(ResourceKind.NodePool, row.Id), row.ClusterId, row.Name,
        Read<Dictionary<string, string>>(row.Labels), Read<NodePoolSpec>(row.Spec), row.Generation,
        row.CreatedAt, row.UpdatedAt, row.CreatedBy, row.DeletionTimestamp, Read<ResourceStatus>(row.Status));

    /// <summary>The user-owned document <c>{labels, spec}</c> that PUT replaces and merge patches apply to.</summary>
    public static JsonElement UserDocument(ResourceRow row) =>
        JsonDocument.Parse($$"""{"labels":{{row.Labels}},"spec":{{row.Spec}}}""").RootElement.Clone();

    public static string Href(ResourceKind kind, Guid id) => $"{kind.PathBase}/{id}";

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, Json);

    public static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, Json)
        ?? throw new InvalidOperationException($"Stored JSON is not a {typeof(T).Name}.");
}
