using System.Text.RegularExpressions;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// The naming rules both release-image providers share: which channel holds a version (what a pull
/// spec by digest looks like is ClusterPlatform.Providers' ReleasePayload, which the Api uses too).
/// </summary>
internal static partial class ReleaseNames
{
    /// <summary>Where OpenShift's release payloads are published.</summary>
    public const string Repository = "quay.io/openshift-release-dev/ocp-release";

    /// <summary>
    /// The version of the cluster API (MAJOR.MINOR.PATCH), plus an optional pre-release such as
    /// <c>4.22.0-rc.1</c>, which candidate channels carry.
    /// </summary>
    [GeneratedRegex(@"^(?<major>0|[1-9][0-9]*)\.(?<minor>0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex VersionPattern();

    /// <summary>The policy engine's channel validation (cincinnati/src/plugins/internal/channel_filter.rs, CHANNEL_VALIDATION_REGEX_STR).</summary>
    [GeneratedRegex(@"^[0-9a-z\-\.]+$")]
    private static partial Regex ChannelPattern();

    /// <summary>
    /// <c>&lt;group&gt;-&lt;major&gt;.&lt;minor&gt;</c> (e.g. <c>stable-4.22</c>), or null when the version is
    /// not well formed, since no graph can hold it. A group that makes no valid channel name is a
    /// wrong request, not an absent version, so it throws a non-transient <see cref="ProviderException"/>.
    /// </summary>
    public static string? ChannelOf(string version, string channelGroup)
    {
        var match = VersionPattern().Match(version);
        if (!match.Success)
        {
            return null;
        }

        var channel = $"{channelGroup}-{match.Groups["major"].Value}.{match.Groups["minor"].Value}";
        return ChannelPattern().IsMatch(channel)
            ? channel
            : throw new ProviderException($"channel group '{channelGroup}' makes no valid update-graph channel ('{channel}' does not match {ChannelPattern()})", transient: false);
    }
}
