namespace ClusterPlatform.Api.Endpoints;

/// <summary>Writes a stored row as a resource's JSON.</summary>
internal delegate void ResourceWriter(Utf8JsonWriter json, ResourceRow row);

/// <summary>
/// Stored rows written straight out as the wire resources (<see cref="Cluster"/>, <see cref="NodePool"/>):
/// the same names in the same order as the serializer gives those records, with labels, spec and the
/// aggregated status copied from their jsonb columns (<see cref="StoredJson.WriteValue"/>) instead of
/// parsed into records and serialized again. They are stored as the Api shows them: the validators write
/// labels and spec with the serializer, and the status functions (Data/Functions) build the status in the
/// record's shape, with times as the serializer writes them (rfc3339). PostgreSQL orders an object's keys
/// its own way (shorter names first), so inside them the order differs from the records'; the JSON means
/// the same.
/// </summary>
internal static class ResourceJson
{
    private static readonly JsonEncodedText Kind = JsonEncodedText.Encode("kind");
    private static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText Href = JsonEncodedText.Encode("href");
    private static readonly JsonEncodedText ClusterId = JsonEncodedText.Encode("clusterId");
    private static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
    private static readonly JsonEncodedText Organization = JsonEncodedText.Encode("organization");
    private static readonly JsonEncodedText Labels = JsonEncodedText.Encode("labels");
    private static readonly JsonEncodedText Spec = JsonEncodedText.Encode("spec");
    private static readonly JsonEncodedText Generation = JsonEncodedText.Encode("generation");
    private static readonly JsonEncodedText CreatedAt = JsonEncodedText.Encode("createdAt");
    private static readonly JsonEncodedText UpdatedAt = JsonEncodedText.Encode("updatedAt");
    private static readonly JsonEncodedText CreatedBy = JsonEncodedText.Encode("createdBy");
    private static readonly JsonEncodedText DeletionTimestamp = JsonEncodedText.Encode("deletionTimestamp");
    private static readonly JsonEncodedText Status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText Items = JsonEncodedText.Encode("items");
    private static readonly JsonEncodedText Continue = JsonEncodedText.Encode("continue");
    private static readonly JsonEncodedText ClusterKind = JsonEncodedText.Encode(ResourceKind.Cluster.Name);
    private static readonly JsonEncodedText NodePoolKind = JsonEncodedText.Encode(ResourceKind.NodePool.Name);

    /// <summary>As <see cref="Cluster"/>.</summary>
    public static void WriteCluster(Utf8JsonWriter json, ResourceRow row)
    {
        json.WriteStartObject();
        json.WriteString(Kind, ClusterKind);
        json.WriteString(Id, row.Id);
        json.WriteString(Href, ResourceMapper.Href(ResourceKind.Cluster, row.Id));
        json.WriteString(Name, row.Name);
        json.WriteString(Organization, row.Organization);
        WriteRest(json, row);
    }

    /// <summary>As <see cref="NodePool"/>.</summary>
    public static void WriteNodePool(Utf8JsonWriter json, ResourceRow row)
    {
        json.WriteStartObject();
        json.WriteString(Kind, NodePoolKind);
        json.WriteString(Id, row.Id);
        json.WriteString(Href, ResourceMapper.Href(ResourceKind.NodePool, row.Id));
        json.WriteString(ClusterId, row.ClusterId);
        json.WriteString(Name, row.Name);
        WriteRest(json, row);
    }

    /// <summary>As <see cref="ResourceList{T}"/>.</summary>
    public static void WriteList(Utf8JsonWriter json, string listKind, IReadOnlyList<ResourceRow> rows, string? next, ResourceWriter write)
    {
        json.WriteStartObject();
        json.WriteString(Kind, listKind);
        json.WriteStartArray(Items);
        foreach (var row in rows)
        {
            write(json, row);
        }

        json.WriteEndArray();
        json.WriteString(Continue, next);
        json.WriteEndObject();
    }

    /// <summary>The fields both kinds end with, from labels on.</summary>
    private static void WriteRest(Utf8JsonWriter json, ResourceRow row)
    {
        json.WritePropertyName(Labels);
        StoredJson.WriteValue(json, row.Labels);
        json.WritePropertyName(Spec);
        StoredJson.WriteValue(json, row.Spec);
        json.WriteNumber(Generation, row.Generation);
        json.WriteString(CreatedAt, row.CreatedAt);
        json.WriteString(UpdatedAt, row.UpdatedAt);
        json.WriteString(CreatedBy, row.CreatedBy);
        if (row.DeletionTimestamp is { } deleted)
        {
            json.WriteString(DeletionTimestamp, deleted);
        }
        else
        {
            json.WriteNull(DeletionTimestamp);
        }

        // Copied through like labels and spec: a status report's response is the same stored text
        // (StatusStore), and rfc3339() writes times as the serializer does, so they read alike.
        json.WritePropertyName(Status);
        StoredJson.WriteValue(json, row.Status);
        json.WriteEndObject();
    }
}
