using System.Security.Cryptography;
using System.Text;

namespace ClusterPlatform.Api.Validation;

/// <summary>
/// The infra id a cluster gets when its create names none. It must be deterministic (a repeat of the
/// derivation, in C# here and in SQL (<c>Data/Functions/16_derive_infra_id.sql</c>, which the backfill of clusters stored before infra ids calls), gives the
/// same id) and valid by <see cref="FieldRules.InfraId"/>: a readable prefix of the name, then 5 hex
/// digits of the SHA-256 of the cluster id, which tells apart two organizations' clusters of one name
/// in one project. The id bytes are big-endian (RFC 4122), as in the Controllers' <c>HostedClusterRef.For</c>
/// and as PostgreSQL's <c>uuid_send</c> gives them.
/// </summary>
internal static class InfraIds
{
    private const int PrefixLength = 7;

    public static string Derive(Guid clusterId, string name)
    {
        var prefix = new StringBuilder(name.Length);
        foreach (var c in name)
        {
            // ASCII lower-casing only, so that the SQL twin (translate) agrees whatever the database's locale.
            var lower = c is >= 'A' and <= 'Z' ? (char)(c + ('a' - 'A')) : c;
            if (lower is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-'
                // Runs of '-' collapse: the id may not contain "--".
                && !(lower == '-' && prefix.Length > 0 && prefix[^1] == '-')
                // It starts with a letter.
                && (prefix.Length > 0 || lower is >= 'a' and <= 'z'))
            {
                prefix.Append(lower);
            }
        }

        // "gcp-" is reserved by Google for workload identity pools (<infraId>-wi-pool): a name-derived
        // prefix never starts with "gcp", so the id never starts with "gcp-".
        var start = prefix.Length == 0 ? "c" : prefix.ToString().StartsWith("gcp", StringComparison.Ordinal) ? "c" + prefix : prefix.ToString();
        var head = start[..Math.Min(PrefixLength, start.Length)].TrimEnd('-');
        var hash = Convert.ToHexStringLower(SHA256.HashData(clusterId.ToByteArray(bigEndian: true)))[..5];
        return $"{head}-{hash}";
    }
}
