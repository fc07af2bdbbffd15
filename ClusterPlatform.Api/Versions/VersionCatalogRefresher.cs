namespace ClusterPlatform.Api.Versions;

/// <summary>
/// Reads the update graph for every offered minor (<c>Platform:SupportedVersions</c>) in every channel
/// group, and writes the catalog in one transaction, at start and then every
/// <see cref="VersionCatalogOptions.RefreshInterval"/>. A failed read leaves the catalog as it was
/// (a partial graph is never written), so reads keep answering through an outage of the graph.
/// </summary>
internal sealed partial class VersionCatalogRefresher(
    IVersionGraph graph, VersionCatalogStore store, IOptions<PlatformOptions> platform, IOptions<VersionCatalogOptions> options,
    TimeProvider time, ILogger<VersionCatalogRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, time);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One refresh of the whole catalog; throws when the graph or the database fails.</summary>
    public async Task<CatalogChanges> RefreshAsync(CancellationToken ct)
    {
        var minors = platform.Value.SupportedVersions;
        var entries = new List<CatalogEntry>();
        foreach (var group in ChannelGroups.All)
        {
            // Edges to a minor come in that minor's channel (stable-4.23 holds 4.22.z → 4.23.y), so a
            // version's upgrades are the union over every channel of its group.
            var upgrades = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
            var nodes = new Dictionary<string, GraphVersion>(StringComparer.Ordinal);
            foreach (var minor in minors)
            {
                foreach (var node in await graph.GetAsync($"{group}-{minor}", ct))
                {
                    if (ChannelGroups.MinorOf(node.Version) is not { } nodeMinor || !minors.Contains(nodeMinor))
                    {
                        continue;
                    }

                    nodes.TryAdd(node.Version, node);
                    var to = upgrades.TryGetValue(node.Version, out var set) ? set : upgrades[node.Version] = new SortedSet<string>(StringComparer.Ordinal);
                    to.UnionWith(node.Upgrades);
                }
            }

            // The default is the newest version the graph enables in the group.
            var newest = nodes.Values.Where(n => n.Enabled).Select(n => n.Version).OrderDescending(Comparer<string>.Create(ChannelGroups.Compare)).FirstOrDefault();
            entries.AddRange(nodes.Values.Select(n => new CatalogEntry(group, n.Version, ChannelGroups.MinorOf(n.Version)!, n.Enabled,
                n.Version == newest, n.Payload, [.. upgrades[n.Version]])));
        }

        var changes = await store.ApplyRefreshAsync(ChannelGroups.All, minors, entries, ct);
        if (changes.Added.Count + changes.Changed.Count + changes.Withdrawn.Count > 0)
        {
            LogChanged(logger, string.Join(", ", changes.Added), string.Join(", ", changes.Changed), string.Join(", ", changes.Withdrawn));
        }

        return changes;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Version catalog refreshed: added [{Added}], changed [{Changed}], withdrawn [{Withdrawn}]")]
    private static partial void LogChanged(ILogger logger, string added, string changed, string withdrawn);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Version catalog refresh failed; the catalog keeps its last refresh")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
