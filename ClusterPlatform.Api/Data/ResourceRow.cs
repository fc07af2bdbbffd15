using System.Data.Common;
using System.Text.Json.Serialization;

namespace ClusterPlatform.Api.Data;

/// <summary>One stored cluster or node pool. For clusters <c>ClusterId</c> equals <c>Id</c>. JSON columns stay text until mapped.</summary>
internal sealed record ResourceRow(
    Guid Id, Guid ClusterId, string Organization, string Name, string Labels, string Spec, long Generation, long ResourceVersion,
    DateTime CreatedAt, DateTime UpdatedAt, string CreatedBy, DateTime? DeletionTimestamp, string Status)
{
    /// <summary>Strong ETag from the resource version: it changes with labels, spec, deletion and status (a stored report that changes the aggregated status), so it validates the whole body.</summary>
    [JsonIgnore]
    public string ETag => ETagOf(ResourceVersion);

    /// <summary>The ETag of a row at <paramref name="resourceVersion"/>, for a read of the version alone.</summary>
    public static string ETagOf(long resourceVersion) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"\"{resourceVersion}\"");

    [JsonIgnore]
    public bool IsDeleting => DeletionTimestamp is not null;

    /// <summary>The current row of a reader over the columns <see cref="ResourceStatements"/> return, by name.</summary>
    public static ResourceRow Read(DbDataReader r) => new(
        r.Column<Guid>("id"), r.Column<Guid>("cluster_id"), r.Column<string>("organization"), r.Column<string>("name"),
        r.Column<string>("labels"), r.Column<string>("spec"), r.Column<long>("generation"), r.Column<long>("resource_version"),
        r.Column<DateTime>("created_at"), r.Column<DateTime>("updated_at"), r.Column<string>("created_by"),
        r.Column<DateTime?>("deletion_timestamp"), r.Column<string>("status"));
}
