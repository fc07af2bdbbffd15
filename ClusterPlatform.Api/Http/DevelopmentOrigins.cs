using System.Text.RegularExpressions;

namespace ClusterPlatform.Api.Http;

/// <summary>
/// The browser origins Development allows besides the configured ones: a page served from this
/// machine over HTTP(S), on any port. Not any loopback URI: <c>Uri.IsLoopback</c> also holds for
/// <c>file://</c> pages (whose origin browsers send as <c>null</c> or <c>file://</c>), for other
/// schemes, and for any 127.x address, none of which a local console or the reference page uses.
/// </summary>
internal static partial class DevelopmentOrigins
{
    public static bool Allows(string origin) => Loopback().IsMatch(origin);

    [GeneratedRegex(@"^https?://(localhost|127\.0\.0\.1|\[::1\])(:[0-9]{1,5})?\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Loopback();
}
