namespace ClusterPlatform.Api.Versions;

/// <summary>
/// A small, fixed update graph for local runs and tests, shaped as Red Hat's: channel
/// <c>&lt;group&gt;-&lt;minor&gt;</c> holds that minor's patches (every patch has an edge to every
/// later one) and the previous minor's last patch, with a minor edge to this minor's newest patch.
/// <c>fast</c> has one patch more than <c>stable</c>, <c>candidate</c> two. Patch <c>.1</c> of every
/// minor is held back (a known regression), so the catalog always has one disabled version.
/// Payload digests are derived from the version, so every run sees the same graph.
/// </summary>
internal sealed class SimulatedVersionGraph : IVersionGraph
{
    private const int StablePatches = 4;

    public Task<IReadOnlyList<GraphVersion>> GetAsync(string channel, CancellationToken cancellationToken)
    {
        var dash = channel.LastIndexOf('-');
        var group = dash > 0 ? channel[..dash] : "";
        var minor = dash > 0 ? channel[(dash + 1)..] : "";
        var groupIndex = ChannelGroups.All.ToList().IndexOf(group);
        var numbers = minor.Split('.');
        if (groupIndex < 0 || numbers.Length != 2 || !int.TryParse(numbers[0], out var major) || !int.TryParse(numbers[1], out var minorNumber))
        {
            // As Cincinnati: a well-formed channel nobody publishes to has no nodes.
            return Task.FromResult<IReadOnlyList<GraphVersion>>([]);
        }

        var patches = StablePatches + groupIndex;
        var versions = Enumerable.Range(0, patches).Select(patch => $"{major}.{minorNumber}.{patch}").ToList();
        var nodes = versions.Select((version, index) => Node(version, versions[(index + 1)..])).ToList();
        if (minorNumber > 0)
        {
            nodes.Add(Node($"{major}.{minorNumber - 1}.{patches - 1}", [versions[^1]]));
        }

        return Task.FromResult<IReadOnlyList<GraphVersion>>(nodes);
    }

    private static GraphVersion Node(string version, IReadOnlyList<string> upgrades) =>
        new(version, $"quay.io/openshift-release-dev/ocp-release@sha256:{Digest(version)}", upgrades, Enabled: !version.EndsWith(".1", StringComparison.Ordinal));

    private static string Digest(string version) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(version)));
}
