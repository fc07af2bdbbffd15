namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Resolves an OpenShift version to its release image by digest, from OpenShift's update graph
/// (Cincinnati): the graph's node for the version carries <c>payload</c>, a pull spec by digest.
/// A HostedCluster never carries a mutable tag.
/// </summary>
public interface IReleaseImageProvider
{
    /// <summary>
    /// The release image of <paramref name="version"/> (MAJOR.MINOR.PATCH) in the channel group's
    /// channel for its minor (<c>&lt;group&gt;-&lt;major&gt;.&lt;minor&gt;</c>), or null when the graph has no
    /// such version. Throws a transient <see cref="ProviderException"/> when the graph cannot be read.
    /// </summary>
    Task<ReleaseImage?> ResolveAsync(string version, string channelGroup, CancellationToken cancellationToken);
}

/// <param name="PullSpec">The payload's pull spec, by digest: <c>quay.io/openshift-release-dev/ocp-release@sha256:…</c>.</param>
public sealed record ReleaseImage(string Version, string PullSpec);
