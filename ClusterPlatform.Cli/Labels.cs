namespace ClusterPlatform.Cli;

/// <summary><c>--label k=v</c> values; the Api validates the keys and values themselves.</summary>
public static class Labels
{
    public static IReadOnlyList<(string Key, string Value)> Parse(string[]? given) =>
        [.. (given ?? []).Select(label => label.Split('=', 2) is [var key, var value] && key.Length > 0
            ? (key, value)
            : throw new CliException($"--label \"{label}\" is not key=value."))];
}
