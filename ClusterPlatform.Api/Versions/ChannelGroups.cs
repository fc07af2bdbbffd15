namespace ClusterPlatform.Api.Versions;

/// <summary>The channel groups the catalog holds, and how versions are ordered and split into minors.</summary>
internal static class ChannelGroups
{
    public const string Stable = "stable";

    public static readonly IReadOnlyList<string> All = [Stable, "fast", "candidate"];

    /// <summary><c>4.22</c> of <c>4.22.3</c> (or of <c>4.22.0-rc.1</c>); null for what is not MAJOR.MINOR.PATCH.</summary>
    public static string? MinorOf(string version)
    {
        var core = version.Split('-', 2)[0].Split('.');
        return core.Length == 3 && core.All(part => int.TryParse(part, out _)) ? $"{core[0]}.{core[1]}" : null;
    }

    /// <summary>Semantic-version order of the versions the catalog keeps: numbers first, a pre-release before its release.</summary>
    public static int Compare(string left, string right)
    {
        var (l, lPre) = Split(left);
        var (r, rPre) = Split(right);
        var byCore = l.CompareTo(r);
        if (byCore != 0)
        {
            return byCore;
        }

        return (lPre, rPre) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => string.CompareOrdinal(lPre, rPre),
        };
    }

    private static (Version Core, string? PreRelease) Split(string version)
    {
        var parts = version.Split('-', 2);
        return (Version.TryParse(parts[0], out var core) ? core : new Version(0, 0), parts.Length == 2 ? parts[1] : null);
    }
}
