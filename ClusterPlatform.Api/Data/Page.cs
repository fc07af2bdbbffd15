namespace ClusterPlatform.Api.Data;

/// <summary>
/// Keyset paging: a query fetches <c>limit + 1</c> rows in key order; the extra row only says that
/// more follow, and the page continues after the last row it keeps.
/// </summary>
internal static class Page
{
    /// <summary>The row count to fetch for a page of <paramref name="limit"/>.</summary>
    public static int FetchCount(int limit) => limit + 1;

    /// <summary>Drops the look-ahead row, if fetched, and returns the key to continue after (null: last page).</summary>
    public static TKey? Trim<TRow, TKey>(List<TRow> rows, int limit, Func<TRow, TKey> key) where TKey : struct
    {
        if (rows.Count <= limit)
        {
            return null;
        }

        rows.RemoveRange(limit, rows.Count - limit);
        return key(rows[^1]);
    }
}
