namespace ClusterPlatform.Tests.Kubernetes.Cel;

/// <summary>
/// CEL runtime values as .NET objects: null, bool, long (int), ulong (uint), double, string,
/// <see cref="List{T}"/> of values (list), <see cref="Dictionary{TKey,TValue}"/> from value to value
/// (map and object), <see cref="CelOptional"/>, <see cref="TimeSpan"/> (duration), and Kubernetes'
/// <see cref="CelUrl"/>, <see cref="CelIp"/> and <see cref="CelCidr"/>.
/// </summary>
internal static class CelValues
{
    /// <summary>cel-spec "Equality": heterogeneous numeric equality, element-wise lists, key-wise maps.</summary>
    public static bool AreEqual(object? a, object? b)
    {
        switch (a, b)
        {
            case (null, null): return true;
            case (null, _) or (_, null): return false;
            case (long or ulong or double, long or ulong or double): return CompareNumbers(a, b) == 0;
            case (List<object?> x, List<object?> y): return x.Count == y.Count && x.Zip(y).All(p => AreEqual(p.First, p.Second));
            case (Dictionary<object, object?> x, Dictionary<object, object?> y):
                return x.Count == y.Count && x.All(e => y.TryGetValue(e.Key, out var other) && AreEqual(e.Value, other));
            case (CelOptional x, CelOptional y): return x.HasValue == y.HasValue && (!x.HasValue || AreEqual(x.Value, y.Value));
            default: return a.GetType() == b.GetType() && a.Equals(b);
        }
    }

    /// <summary>Cross-type numeric ordering, which Kubernetes enables (cel-go's CrossTypeNumericComparisons).</summary>
    public static int CompareNumbers(object a, object b) => (a, b) switch
    {
        (long x, long y) => x.CompareTo(y),
        (ulong x, ulong y) => x.CompareTo(y),
        (long x, ulong y) => x < 0 ? -1 : ((ulong)x).CompareTo(y),
        (ulong x, long y) => y < 0 ? 1 : x.CompareTo((ulong)y),
        _ => ToDouble(a).CompareTo(ToDouble(b)),
    };

    public static double ToDouble(object value) => value switch
    {
        long l => l,
        ulong u => u,
        double d => d,
        _ => throw new CelRuntimeException($"no such overload: double({TypeName(value)})"),
    };

    /// <summary>The CEL type name, as cel-go prints it in "no such overload" errors.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "null_type",
        bool => "bool",
        long => "int",
        ulong => "uint",
        double => "double",
        string => "string",
        List<object?> => "list",
        Dictionary<object, object?> => "map",
        CelOptional => "optional_type",
        TimeSpan => "google.protobuf.Duration",
        CelUrl => "kubernetes.URL",
        CelIp => "net.IP",
        CelCidr => "net.CIDR",
        _ => value.GetType().Name,
    };
}

/// <summary>cel-go's optional type (ext.OptionalTypes), produced by <c>.?field</c> and <c>[?index]</c>.</summary>
internal sealed record CelOptional(bool HasValue, object? Value)
{
    public static readonly CelOptional None = new(false, null);

    public static CelOptional Of(object? value) => new(true, value);
}

/// <summary>A parsed URL of Kubernetes' URL library (k8s.io/apiserver/pkg/cel/library/urls.go).</summary>
internal sealed record CelUrl(string Scheme, string Host, string Hostname, string Port, string EscapedPath, string RawQuery);

/// <summary>An address of Kubernetes' IP library (k8s.io/apiserver/pkg/cel/library/ip.go).</summary>
internal sealed record CelIp(IPAddress Address)
{
    public long Family => Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 4 : 6;
}

/// <summary>A prefix of Kubernetes' CIDR library (k8s.io/apiserver/pkg/cel/library/cidr.go): the address as written and its length.</summary>
internal sealed record CelCidr(CelIp Ip, long PrefixLength);

/// <summary>
/// A CEL evaluation error such as "no such key" or "index out of bounds": Kubernetes reports these as
/// the rule's field being invalid (k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go).
/// </summary>
internal sealed class CelRuntimeException(string message) : Exception(message);
