using System.Security.Cryptography;
using System.Text;

namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Release images without a network: every well-formed version (see <see cref="ReleaseNames.ChannelOf"/>)
/// exists in every channel group, and its payload is <c>quay.io/openshift-release-dev/ocp-release@sha256:</c>
/// followed by the SHA-256 of the version string, so the same version always gets the same digest and
/// different versions different ones. A malformed version is not found; a channel group that makes
/// no valid channel name fails as the real provider does.
/// </summary>
internal sealed class SimulatedReleaseImageProvider : IReleaseImageProvider
{
    public Task<ReleaseImage?> ResolveAsync(string version, string channelGroup, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (ReleaseNames.ChannelOf(version, channelGroup) is null)
        {
            return Task.FromResult<ReleaseImage?>(null);
        }

        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(version)));
        return Task.FromResult<ReleaseImage?>(new ReleaseImage(version, $"{ReleaseNames.Repository}@sha256:{digest}"));
    }
}
