using System.Globalization;
using System.Text.RegularExpressions;

namespace ClusterPlatform.Tests.Kubernetes.Cel;

/// <summary>
/// The CEL extension functions Kubernetes gives CRD rules, with Kubernetes' semantics:
/// cel-go's ext.Strings (split, lowerAscii, upperAscii, trim, join, indexOf, replace, substring),
/// k8s.io/apiserver/pkg/cel/library/regex.go (find, findAll), urls.go (isURL, url, getScheme,
/// getHost, getHostname, getPort, getEscapedPath, getQuery), ip.go (isIP, ip, family), cidr.go
/// (isCIDR, cidr, ip, prefixLength, containsIP), and cel-go's duration (duration, getSeconds ...).
/// </summary>
internal static class KubernetesCelLibrary
{
    public static readonly IReadOnlySet<string> Functions = new HashSet<string>(StringComparer.Ordinal)
    {
        "split", "lowerAscii", "upperAscii", "trim", "join", "indexOf", "replace", "substring",
        "find", "findAll", "isURL", "url", "getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery",
        "isIP", "ip", "family", "isCIDR", "cidr", "prefixLength", "containsIP",
        "duration", "getSeconds", "getMinutes", "getHours", "getMilliseconds",
    };

    public static object? Global(string function, List<object?> args) => (function, args.Count, args.FirstOrDefault()) switch
    {
        ("isURL", 1, string s) => ParseUrl(s) is not null,
        ("url", 1, string s) => ParseUrl(s) ?? throw new CelRuntimeException($"URL parse error during conversion from string: {s}"),
        ("isIP", 1, string s) => ParseIp(s) is not null,
        ("ip", 1, string s) => ParseIp(s) ?? throw new CelRuntimeException($"IP Address '{s}' parse error during conversion from string"),
        ("isCIDR", 1, string s) => ParseCidr(s) is not null,
        ("cidr", 1, string s) => ParseCidr(s) ?? throw new CelRuntimeException($"network address parse error during conversion from string: {s}"),
        ("duration", 1, string s) => ParseDuration(s) ?? throw new CelRuntimeException($"type conversion error from 'string' to 'google.protobuf.Duration': {s}"),
        _ => throw new NotSupportedException($"CEL function {function}/{args.Count} over {string.Join(", ", args.Select(CelValues.TypeName))}"),
    };

    public static object? Member(object? target, string function, List<object?> args) => (target, function, args.Count) switch
    {
        (string s, "split", 1) when args[0] is string sep => Split(s, sep, -1),
        (string s, "split", 2) when args[0] is string sep && args[1] is long n => Split(s, sep, n),
        (string s, "lowerAscii", 0) => string.Concat(s.Select(c => char.IsAsciiLetterUpper(c) ? char.ToLowerInvariant(c) : c)),
        (string s, "upperAscii", 0) => string.Concat(s.Select(c => char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c) : c)),
        (string s, "trim", 0) => s.Trim(),
        (List<object?> list, "join", 0) => string.Concat(list.Cast<string>()),
        (List<object?> list, "join", 1) when args[0] is string sep => string.Join(sep, list.Cast<string>()),
        (string s, "indexOf", 1) when args[0] is string p => (long)s.IndexOf(p, StringComparison.Ordinal),
        (string s, "replace", 2) when args[0] is string from && args[1] is string to => s.Replace(from, to, StringComparison.Ordinal),
        (string s, "substring", 1) when args[0] is long start => Substring(s, start, CelInterpreter.Size(s)),
        (string s, "substring", 2) when args[0] is long start && args[1] is long end => Substring(s, start, end),
        (string s, "find", 1) when args[0] is string re => Re2Regex.Get(re).Match(s) is { Success: true } m ? m.Value : "",
        (string s, "findAll", 1) when args[0] is string re => Re2Regex.Get(re).Matches(s).Select(m => (object?)m.Value).ToList(),
        (CelUrl u, "getScheme", 0) => u.Scheme,
        (CelUrl u, "getHost", 0) => u.Host,
        (CelUrl u, "getHostname", 0) => u.Hostname,
        (CelUrl u, "getPort", 0) => u.Port,
        (CelUrl u, "getEscapedPath", 0) => u.EscapedPath,
        (CelUrl u, "getQuery", 0) => Query(u.RawQuery),
        (CelIp ip, "family", 0) => ip.Family,
        (CelCidr c, "ip", 0) => c.Ip,
        (CelCidr c, "prefixLength", 0) => c.PrefixLength,
        (CelCidr c, "containsIP", 1) => ContainsIp(c, args[0] is string s ? ParseIp(s) : args[0] as CelIp),
        (TimeSpan d, "getSeconds", 0) => d.Ticks / TimeSpan.TicksPerSecond,
        (TimeSpan d, "getMinutes", 0) => d.Ticks / TimeSpan.TicksPerMinute,
        (TimeSpan d, "getHours", 0) => d.Ticks / TimeSpan.TicksPerHour,
        (TimeSpan d, "getMilliseconds", 0) => d.Ticks / TimeSpan.TicksPerMillisecond,
        _ => throw new NotSupportedException($"CEL function {CelValues.TypeName(target)}.{function}/{args.Count}"),
    };

    /// <summary>cel-go ext.Strings split: Go's strings.SplitN (n &lt; 0 all, 0 none).</summary>
    private static List<object?> Split(string s, string separator, long n) => n switch
    {
        0 => [],
        < 0 => (separator.Length == 0 ? s.Select(c => c.ToString()) : s.Split(separator)).Cast<object?>().ToList(),
        _ => s.Split(separator, (int)Math.Min(n, int.MaxValue)).Cast<object?>().ToList(),
    };

    private static string Substring(string s, long start, long end)
    {
        var runes = s.EnumerateRunes().ToList();
        return start < 0 || end < start || end > runes.Count
            ? throw new CelRuntimeException($"index out of range: {start}..{end}")
            : string.Concat(runes.Skip((int)start).Take((int)(end - start)));
    }

    /// <summary>
    /// urls.go: isURL and url() accept what Go's url.ParseRequestURI accepts: an absolute URI
    /// (scheme ':' ...) or an absolute path, with no control characters or spaces.
    /// </summary>
    private static CelUrl? ParseUrl(string s)
    {
        if (s.Length == 0 || s.Any(c => c < 0x20 || c == 0x7f || c == ' '))
        {
            return null;
        }

        var fragmentless = s.Split('#')[0];
        var scheme = "";
        var rest = fragmentless;
        var colon = fragmentless.IndexOf(':', StringComparison.Ordinal);
        if (!fragmentless.StartsWith('/'))
        {
            if (colon <= 0 || !Regex.IsMatch(fragmentless[..colon], "^[a-zA-Z][a-zA-Z0-9+.-]*$"))
            {
                return null;
            }

            scheme = fragmentless[..colon].ToLowerInvariant();
            rest = fragmentless[(colon + 1)..];
        }

        var query = "";
        if (rest.IndexOf('?', StringComparison.Ordinal) is var q and >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        var host = "";
        if (rest.StartsWith("//", StringComparison.Ordinal))
        {
            var authorityEnd = rest.IndexOf('/', 2);
            var authority = authorityEnd < 0 ? rest[2..] : rest[2..authorityEnd];
            host = authority.Contains('@', StringComparison.Ordinal) ? authority[(authority.LastIndexOf('@') + 1)..] : authority;
            rest = authorityEnd < 0 ? "" : rest[authorityEnd..];
        }
        else if (scheme.Length > 0 && !rest.StartsWith('/'))
        {
            return new CelUrl(scheme, "", "", "", "", query); // opaque URI such as mailto:x
        }

        var (hostname, port) = SplitHostPort(host);
        return port.Length > 0 && !port.All(char.IsAsciiDigit) ? null : new CelUrl(scheme, host, hostname, port, rest, query);
    }

    private static (string Hostname, string Port) SplitHostPort(string host)
    {
        if (host.StartsWith('['))
        {
            var close = host.IndexOf(']', StringComparison.Ordinal);
            return (host[1..Math.Max(1, close)], close >= 0 && close + 1 < host.Length && host[close + 1] == ':' ? host[(close + 2)..] : "");
        }

        var colon = host.LastIndexOf(':');
        return colon < 0 ? (host, "") : (host[..colon], host[(colon + 1)..]);
    }

    /// <summary>Go's url.Values: each key to its list of values, in the order given.</summary>
    private static Dictionary<object, object?> Query(string rawQuery)
    {
        var query = new Dictionary<object, object?>();
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = pair.IndexOf('=', StringComparison.Ordinal) is var eq and >= 0 ? (pair[..eq], pair[(eq + 1)..]) : (pair, "");
            key = Uri.UnescapeDataString(key.Replace('+', ' '));
            if (!query.TryGetValue(key, out var values))
            {
                query[key] = values = new List<object?>();
            }

            ((List<object?>)values!).Add(Uri.UnescapeDataString(value.Replace('+', ' ')));
        }

        return query;
    }

    /// <summary>
    /// ip.go: Go's netip.ParseAddr (dotted quads without leading zeros, RFC 4291 IPv6), with zones
    /// and IPv4-mapped IPv6 addresses refused, as Kubernetes refuses them.
    /// </summary>
    public static CelIp? ParseIp(string s)
    {
        if (s.Contains('%', StringComparison.Ordinal))
        {
            return null;
        }

        if (!s.Contains(':', StringComparison.Ordinal))
        {
            var parts = s.Split('.');
            return parts.Length == 4 && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit) && (p.Length == 1 || p[0] != '0') && int.Parse(p, CultureInfo.InvariantCulture) <= 255)
                ? new CelIp(IPAddress.Parse(s))
                : null;
        }

        return IPAddress.TryParse(s, out var v6) && v6.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && !v6.IsIPv4MappedToIPv6 && s.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
            ? new CelIp(v6)
            : null;
    }

    /// <summary>cidr.go: Go's netip.ParsePrefix (decimal length without leading zeros), then the ip.go rules for the address.</summary>
    public static CelCidr? ParseCidr(string s)
    {
        var slash = s.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || ParseIp(s[..slash]) is not { } ip)
        {
            return null;
        }

        var bits = s[(slash + 1)..];
        if (bits.Length is 0 or > 3 || !bits.All(char.IsAsciiDigit) || (bits.Length > 1 && bits[0] == '0'))
        {
            return null;
        }

        var length = int.Parse(bits, CultureInfo.InvariantCulture);
        return length <= (ip.Family == 4 ? 32 : 128) ? new CelCidr(ip, length) : null;
    }

    private static bool ContainsIp(CelCidr cidr, CelIp? ip)
    {
        if (ip is null || ip.Family != cidr.Ip.Family)
        {
            return false;
        }

        var network = cidr.Ip.Address.GetAddressBytes();
        var address = ip.Address.GetAddressBytes();
        for (var bit = 0; bit < cidr.PrefixLength; bit++)
        {
            var mask = 0x80 >> (bit % 8);
            if ((network[bit / 8] & mask) != (address[bit / 8] & mask))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Go's time.ParseDuration, as cel-go's duration(string): signed sequence of decimal numbers with units.</summary>
    public static TimeSpan? ParseDuration(string s)
    {
        var match = Regex.Match(s, @"^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$");
        if (s == "0")
        {
            return TimeSpan.Zero;
        }

        if (!match.Success)
        {
            return null;
        }

        var ticks = 0.0;
        foreach (Match part in Regex.Matches(s, @"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)"))
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += value * part.Groups[2].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        return TimeSpan.FromTicks((long)(match.Groups[1].Value == "-" ? -ticks : ticks));
    }
}
