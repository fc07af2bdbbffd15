using System.Text.RegularExpressions;

namespace ClusterPlatform.Providers;

/// <summary>
/// What a release payload reference must be before the platform uses it: by digest, so the same
/// version always installs the same bits and a moved tag never reaches a HostedCluster.
/// </summary>
internal static partial class ReleasePayload
{
    /// <summary>A repository followed by a SHA-256 manifest digest, and nothing mutable such as a tag.</summary>
    [GeneratedRegex(@"^[^@\s]+@sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestPullSpecPattern();

    public static bool IsByDigest(string pullSpec) => DigestPullSpecPattern().IsMatch(pullSpec);
}
