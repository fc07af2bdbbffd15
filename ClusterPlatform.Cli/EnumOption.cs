using ClusterPlatform.Client;

namespace ClusterPlatform.Cli;

/// <summary>A command-line value of one of the document's string enums, by its wire name (<see cref="WireEnum"/>).</summary>
public static class EnumOption
{
    public static T Parse<T>(string wire, string what) where T : struct, Enum =>
        WireEnum.TryParse<T>(wire, out var value)
            ? value.Value
            : throw new CliException($"{what} \"{wire}\" is not one of: {string.Join(", ", Enum.GetValues<T>().Select(WireEnum.Name))}.");
}
