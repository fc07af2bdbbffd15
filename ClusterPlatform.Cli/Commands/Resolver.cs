using ClusterPlatform.Client.Models;

namespace ClusterPlatform.Cli.Commands;

/// <summary>
/// Names or ids: an id is read directly; a name is looked up in the caller's organization by listing
/// (the Api scopes every list to the token's organization and has no by-name read). Names are unique
/// among live resources only, so a live match wins over deleting ones, and among deleting ones the newest.
/// </summary>
public static class Resolver
{
    public static async Task<Cluster?> FindClusterAsync(Session session, string nameOrId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (Guid.TryParse(nameOrId, out var id))
        {
            return await session.Client.Api.V1.Clusters[id].GetAsync(cancellationToken: cancellationToken);
        }

        var matches = new List<Cluster>();
        string? next = null;
        do
        {
            var page = await session.Client.Api.V1.Clusters.GetAsync(r => { r.QueryParameters.Limit = 500; r.QueryParameters.Continue = next; }, cancellationToken);
            matches.AddRange(page!.Items!.Where(c => c.Name == nameOrId));
            next = page.Continue;
        }
        while (next is not null);

        // An admin's list spans every organization, where a name is not unique: picking one there could
        // delete another organization's cluster, so that is refused (a node pool's own check below is by cluster).
        if (matches.Select(c => c.Organization).Distinct(StringComparer.Ordinal).Count() > 1)
        {
            throw new CliException($"Cluster \"{nameOrId}\" exists in several organizations (your token sees them all): give its id.");
        }

        return Pick(matches, c => c.DeletionTimestamp, c => c.Id);
    }

    public static async Task<Cluster> ClusterAsync(Session session, string nameOrId, CancellationToken cancellationToken) =>
        await FindClusterAsync(session, nameOrId, cancellationToken)
        ?? throw new CliException($"No cluster \"{nameOrId}\" in your organization (`cpctl cluster list`).");

    public static async Task<NodePool> NodePoolAsync(Session session, string nameOrId, string? cluster, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (Guid.TryParse(nameOrId, out var id))
        {
            return (await session.Client.Api.V1.Nodepools[id].GetAsync(cancellationToken: cancellationToken))!;
        }

        // A pool's name is unique within its cluster only: with --cluster, look there; else across the organization.
        Guid? clusterId = cluster is null ? null : (await ClusterAsync(session, cluster, cancellationToken)).Id;
        var matches = new List<NodePool>();
        string? next = null;
        do
        {
            var page = await session.Client.Api.V1.Nodepools.GetAsync(r => { r.QueryParameters.Limit = 500; r.QueryParameters.Continue = next; r.QueryParameters.ClusterId = clusterId; }, cancellationToken);
            matches.AddRange(page!.Items!.Where(p => p.Name == nameOrId));
            next = page.Continue;
        }
        while (next is not null);

        var live = matches.Where(p => p.DeletionTimestamp is null).ToList();
        if (live.Select(p => p.ClusterId).Distinct().Count() > 1)
        {
            throw new CliException($"Node pool \"{nameOrId}\" exists in several clusters: name one with --cluster, or give the pool's id.");
        }

        return Pick(matches, p => p.DeletionTimestamp, p => p.Id)
            ?? throw new CliException($"No node pool \"{nameOrId}\"{(cluster is null ? "" : $" in cluster \"{cluster}\"")} (`cpctl nodepool list`).");
    }

    private static T? Pick<T>(List<T> matches, Func<T, DateTimeOffset?> deletion, Func<T, Guid?> id) where T : class =>
        matches.FirstOrDefault(m => deletion(m) is null) ?? matches.OrderByDescending(id).FirstOrDefault();
}
