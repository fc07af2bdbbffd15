using System.Globalization;
using System.Text;

namespace ClusterPlatform.Api.Data;

/// <summary>The audit trail's opaque <c>continue</c> cursor: the last entry's id, base64url-encoded.</summary>
internal static class AuditCursor
{
    public static string Encode(long lastId) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(lastId.ToString(CultureInfo.InvariantCulture))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static long Decode(string token)
    {
        try
        {
            var text = Encoding.ASCII.GetString(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/').PadRight((token.Length + 3) / 4 * 4, '=')));
            if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
            {
                return id;
            }
        }
        catch (FormatException)
        {
        }

        throw ApiException.BadRequest("invalid-continue", "continue is not a cursor this API returned.");
    }
}
