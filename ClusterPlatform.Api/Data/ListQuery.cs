using System.Text;

namespace ClusterPlatform.Api.Data;

/// <summary>The validated parameters of a list request. Pages follow id order (UUIDv7), keyset-paginated.</summary>
internal sealed record ListQuery(string? Organization, Guid? ClusterId, LabelSelector? Selector, string? Phase, Guid? After, int Limit)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static ListQuery Parse(string? organization, Guid? clusterId, int? limit, string? continueToken, string? labelSelector, string? phase)
    {
        if (limit is < 1 or > MaxLimit)
        {
            throw ApiException.BadRequest("invalid-limit", $"limit must be between 1 and {MaxLimit}.");
        }

        if (phase is not null && !Phases.All.Contains(phase))
        {
            throw ApiException.BadRequest("invalid-phase", $"phase must be one of {string.Join(", ", Phases.All)}.");
        }

        return new ListQuery(organization, clusterId, LabelSelector.Parse(labelSelector), phase,
            continueToken is null ? null : DecodeCursor(continueToken), limit ?? DefaultLimit);
    }

    /// <summary>
    /// Makes <paramref name="command"/> the page's statement: <paramref name="select"/> (a kind's
    /// <see cref="ResourceStatements.List"/>, which ends in a WHERE clause) with this query's filters and
    /// selector, in id order, fetching one row more than the page (<see cref="Page"/>).
    /// </summary>
    public void ApplyTo(NpgsqlCommand command, string select)
    {
        var sql = new StringBuilder(select);
        void Filter(string column, string op, object? value)
        {
            if (value is not null)
            {
                sql.Append($" AND {column} {op} @{column}");
                command.Parameters.AddWithValue(column, value);
            }
        }

        Filter("organization", "=", Organization);
        Filter("cluster_id", "=", ClusterId);
        Filter("phase", "=", Phase);
        Filter("id", ">", After);

        Selector?.AppendSql(sql, command.Parameters);
        sql.Append(" ORDER BY id LIMIT @limit");
        command.Parameters.AddWithValue("limit", Page.FetchCount(Limit));
        command.CommandText = sql.ToString();
    }

    /// <summary>The cursor is the last id of the page, base64url-encoded: opaque to clients, stable under inserts.</summary>
    public static string EncodeCursor(Guid lastId) =>
        Convert.ToBase64String(lastId.ToByteArray(bigEndian: true)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static Guid DecodeCursor(string token)
    {
        try
        {
            var base64 = token.Replace('-', '+').Replace('_', '/') + "==";
            var bytes = Convert.FromBase64String(base64);
            if (bytes.Length == 16)
            {
                return new Guid(bytes, bigEndian: true);
            }
        }
        catch (FormatException)
        {
        }

        throw ApiException.BadRequest("invalid-continue", "continue is not a cursor this API returned.");
    }
}
