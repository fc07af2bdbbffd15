namespace ClusterPlatform.Api.Versions;

/// <summary>
/// One node of a channel's update graph as the catalog needs it: its release payload, the versions it
/// has an edge to, and whether the graph's source offers it at all (false for the version the
/// simulated graph holds back).
/// </summary>
internal sealed record GraphVersion(string Version, string Payload, IReadOnlyList<string> Upgrades, bool Enabled = true);

/// <summary>Reads one channel (<c>&lt;group&gt;-&lt;minor&gt;</c>) of the update graph.</summary>
internal interface IVersionGraph
{
    Task<IReadOnlyList<GraphVersion>> GetAsync(string channel, CancellationToken cancellationToken);
}
