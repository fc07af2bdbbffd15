using System.Data.Common;

namespace ClusterPlatform.Api.Data;

/// <summary>Reads columns by name, so a statement may add or reorder columns without shifting what is read.</summary>
internal static class Columns
{
    /// <summary>The column's value; a nullable <typeparamref name="T"/> reads SQL NULL as null, any other type throws on it.</summary>
    public static T Column<T>(this DbDataReader reader, string name) => reader.GetFieldValue<T>(reader.GetOrdinal(name));
}
