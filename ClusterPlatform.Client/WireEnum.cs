using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.Serialization;

namespace ClusterPlatform.Client;

/// <summary>
/// Kiota generates the document's string enums (regions, phases, channel groups) as C# enums whose wire
/// names are <see cref="EnumMemberAttribute"/> values: this maps between the two, so cpctl and the
/// console read and show "us-central1" and "placement-controller", never "UsCentral1".
/// </summary>
public static class WireEnum
{
    public static string Name<T>(T? value) where T : struct, Enum =>
        value is { } v ? Name(v) : "";

    public static string Name<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? value.ToString();

    /// <summary>The member whose wire name is <paramref name="wire"/> (ordinal: the document's names are exact).</summary>
    public static bool TryParse<T>(string? wire, [NotNullWhen(true)] out T? value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(Name(candidate), wire, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = null;
        return false;
    }
}
