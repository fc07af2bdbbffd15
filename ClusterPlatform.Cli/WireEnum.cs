using System.Reflection;
using System.Runtime.Serialization;

namespace ClusterPlatform.Cli;

/// <summary>
/// Kiota generates the document's string enums (regions, phases, channel groups) as C# enums whose wire
/// names are <see cref="EnumMemberAttribute"/> values: this maps between the two, so cpctl reads and
/// prints "us-central1", never "UsCentral1".
/// </summary>
public static class WireEnum
{
    public static string Name<T>(T? value) where T : struct, Enum =>
        value is { } v ? Name(v) : "";

    public static string Name<T>(T value) where T : struct, Enum =>
        typeof(T).GetField(value.ToString())?.GetCustomAttribute<EnumMemberAttribute>()?.Value ?? value.ToString();

    public static T Parse<T>(string wire, string what) where T : struct, Enum
    {
        foreach (var value in Enum.GetValues<T>())
        {
            if (string.Equals(Name(value), wire, StringComparison.Ordinal))
            {
                return value;
            }
        }

        throw new CliException($"{what} \"{wire}\" is not one of: {string.Join(", ", Enum.GetValues<T>().Select(Name))}.");
    }
}
