namespace ClusterPlatform.Controllers.Providers;

/// <summary>
/// Resolves a version through OpenShift's update graph: the channel <c>&lt;group&gt;-&lt;major&gt;.&lt;minor&gt;</c>
/// for the configured architecture, the node whose <c>version</c> equals the version, its
/// <c>payload</c>. The arch filter strips the architecture's build suffix from node versions, so
/// <c>4.22.3+multi</c> is served as <c>4.22.3</c> (cincinnati/src/plugins/internal/arch_filter.rs,
/// openshift/cincinnati@49c914f8). A payload that is not by digest is refused with a non-transient
/// error rather than treated as absent: the version exists, and a mutable tag must never reach a
/// HostedCluster, so someone has to look.
/// </summary>
internal sealed class CincinnatiReleaseImageProvider(UpdateGraphClient client, UpdateGraphCache cache) : IReleaseImageProvider
{
    public async Task<ReleaseImage?> ResolveAsync(string version, string channelGroup, CancellationToken cancellationToken)
    {
        if (ReleaseNames.ChannelOf(version, channelGroup) is not { } channel)
        {
            return null;
        }

        var graph = await cache.GetAsync(channel, () => client.GetAsync(channel, CancellationToken.None), cancellationToken);
        return graph.PayloadOf(version) switch
        {
            null => null,
            var payload when ReleasePayload.IsByDigest(payload) => new ReleaseImage(version, payload),
            var payload => throw new ProviderException(
                $"update graph channel {channel} lists {version} with payload {payload}, which is not by digest (@sha256:<64 hex>); refusing a mutable reference", transient: false),
        };
    }
}
