using ClusterPlatform.Providers;

namespace ClusterPlatform.Api.Versions;

/// <summary>
/// The catalog's graph from OpenShift's update graph (<c>Versions:Graph</c> = <c>Real</c>): one
/// channel per call through the shared <see cref="UpdateGraphClient"/>, with the client's rules
/// (mandatory channel, Accept, error bodies, a failure is a <see cref="ProviderException"/> that
/// leaves the catalog as it was). Each node's upgrades are its unconditional edges only (see
/// <see cref="UpdateGraph"/>). Every version the graph serves is offered (<c>Enabled</c>); only an
/// admin disables one.
/// <para>
/// A node whose payload is not by digest is skipped, with a warning, and so are edges to it: a
/// mutable tag must never reach a HostedCluster, and one bad node must not keep the rest of the
/// channel out of the catalog. So is a node the catalog cannot hold (longer than its bounds).
/// </para>
/// </summary>
internal sealed partial class CincinnatiVersionGraph(UpdateGraphClient client, ILogger<CincinnatiVersionGraph> logger) : IVersionGraph
{
    public async Task<IReadOnlyList<GraphVersion>> GetAsync(string channel, CancellationToken cancellationToken)
    {
        var graph = await client.GetAsync(channel, cancellationToken);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Nodes)
        {
            if (!ReleasePayload.IsByDigest(node.Payload))
            {
                LogNotByDigest(logger, channel, node.Version, node.Payload);
            }
            else if (node.Version.Length > VersionCatalogStore.MaxVersionLength || node.Payload.Length > VersionCatalogStore.MaxReleaseImageLength)
            {
                LogTooLong(logger, channel, node.Version[..Math.Min(node.Version.Length, VersionCatalogStore.MaxVersionLength)]);
            }
            else
            {
                kept.Add(node.Version);
            }
        }

        return [.. graph.Nodes.Where(node => kept.Contains(node.Version))
            .Select(node => new GraphVersion(node.Version, node.Payload, [.. node.Upgrades.Where(kept.Contains)]))];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update graph channel {Channel} lists {Version} with payload {Payload}, which is not by digest (@sha256:<64 hex>); the catalog leaves it out")]
    private static partial void LogNotByDigest(ILogger logger, string channel, string version, string payload);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Update graph channel {Channel} lists a version or payload longer than the catalog holds ({Version}…); the catalog leaves it out")]
    private static partial void LogTooLong(ILogger logger, string channel, string version);
}
