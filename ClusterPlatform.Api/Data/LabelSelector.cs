using System.Text;
using NpgsqlTypes;

namespace ClusterPlatform.Api.Data;

/// <summary>
/// A Kubernetes-style label selector: <c>k=v</c> (or <c>k==v</c>), <c>k!=v</c>, <c>k in (a,b)</c>,
/// <c>k notin (a,b)</c>, <c>k</c> and <c>!k</c>, joined by commas (AND). It becomes parameterized SQL over
/// the <c>labels</c> jsonb column; equality and existence use the GIN index.
/// </summary>
internal sealed class LabelSelector
{
    private enum Op { Equals, NotEquals, In, NotIn, Exists, NotExists }

    private sealed record Requirement(string Key, Op Op, IReadOnlyList<string> Values);

    private readonly List<Requirement> requirements;

    private LabelSelector(List<Requirement> requirements) => this.requirements = requirements;

    public static LabelSelector? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        var result = new List<Requirement>();
        foreach (var part in SplitTopLevel(text))
        {
            result.Add(ParseRequirement(part.Trim()));
        }

        return new LabelSelector(result);
    }

    /// <summary>Appends one <c>AND ...</c> clause per requirement, adding its parameters.</summary>
    public void AppendSql(StringBuilder sql, NpgsqlParameterCollection parameters)
    {
        foreach (var r in requirements)
        {
            var key = Add(parameters, r.Key, NpgsqlDbType.Text);
            switch (r.Op)
            {
                case Op.Equals:
                    sql.Append(" AND labels @> ").Append(Containment(parameters, r.Key, r.Values[0]));
                    break;
                case Op.NotEquals:
                    sql.Append(" AND NOT labels @> ").Append(Containment(parameters, r.Key, r.Values[0]));
                    break;
                case Op.In:
                    sql.Append(" AND (").AppendJoin(" OR ", r.Values.Select(v => "labels @> " + Containment(parameters, r.Key, v))).Append(')');
                    break;
                case Op.NotIn:
                    // A resource without the key matches notin, as in Kubernetes.
                    var values = Add(parameters, r.Values.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text);
                    sql.Append(" AND NOT coalesce(labels ->> ").Append(key).Append(" = ANY(").Append(values).Append("), false)");
                    break;
                case Op.Exists:
                    sql.Append(" AND labels ? ").Append(key);
                    break;
                case Op.NotExists:
                    sql.Append(" AND NOT labels ? ").Append(key);
                    break;
            }
        }
    }

    private static string Containment(NpgsqlParameterCollection parameters, string key, string value) =>
        Add(parameters, JsonSerializer.Serialize(new Dictionary<string, string> { [key] = value }), NpgsqlDbType.Jsonb);

    private static string Add(NpgsqlParameterCollection parameters, object value, NpgsqlDbType type)
    {
        var name = $"ls{parameters.Count}";
        parameters.Add(new NpgsqlParameter(name, type) { Value = value });
        return "@" + name;
    }

    private static Requirement ParseRequirement(string part)
    {
        if (part.StartsWith('!'))
        {
            return new Requirement(Key(part[1..].Trim(), part), Op.NotExists, []);
        }

        var setMatch = System.Text.RegularExpressions.Regex.Match(part, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
        if (setMatch.Success)
        {
            var values = setMatch.Groups[3].Value.Split(',').Select(v => Value(v.Trim(), part)).ToList();
            return new Requirement(Key(setMatch.Groups[1].Value, part), setMatch.Groups[2].Value == "in" ? Op.In : Op.NotIn, values);
        }

        foreach (var (token, op) in new[] { ("!=", Op.NotEquals), ("==", Op.Equals), ("=", Op.Equals) })
        {
            var at = part.IndexOf(token, StringComparison.Ordinal);
            if (at >= 0)
            {
                return new Requirement(Key(part[..at].Trim(), part), op, [Value(part[(at + token.Length)..].Trim(), part)]);
            }
        }

        return new Requirement(Key(part, part), Op.Exists, []);
    }

    private static string Key(string key, string requirement) =>
        FieldRules.IsLabelKey(key) ? key : throw Invalid($"'{key}' in '{requirement}' is not a valid label key");

    private static string Value(string value, string requirement) =>
        value.Length == 0 || FieldRules.IsLabelKey(value) && !value.Contains('/', StringComparison.Ordinal) && value.Length <= 63
            ? value
            : throw Invalid($"'{value}' in '{requirement}' is not a valid label value");

    private static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }

            if (depth < 0)
            {
                throw Invalid("unbalanced parentheses");
            }
        }

        if (depth != 0)
        {
            throw Invalid("unbalanced parentheses");
        }

        yield return text[start..];
    }

    private static ApiException Invalid(string detail) =>
        ApiException.BadRequest("invalid-label-selector", $"labelSelector is invalid: {detail}.");
}
