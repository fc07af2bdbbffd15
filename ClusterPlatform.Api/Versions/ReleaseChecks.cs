namespace ClusterPlatform.Api.Versions;

/// <summary>
/// A cluster's release against the version catalog (docs/api.md "Upgrades"): on create the version
/// must be enabled in its channel group; a change of version is an upgrade, which must follow an
/// update-graph edge from the version the cluster runs to an enabled version. A change of channel
/// group alone is always allowed. The catalog is read from PostgreSQL, so this holds while the graph is down.
/// </summary>
internal sealed class ReleaseChecks(VersionCatalogStore catalog)
{
    public const string VersionPath = "$.spec.release.version";

    /// <summary>A create's release: a 422 <c>version-not-enabled</c> at <see cref="VersionPath"/>, listing the enabled versions, unless enabled.</summary>
    public async Task CheckCreateAsync(ReleaseSpec release, CancellationToken ct)
    {
        if (await catalog.IsEnabledAsync(release.Version, release.ChannelGroup, ct))
        {
            return;
        }

        var enabled = (await catalog.ListAsync(release.ChannelGroup, ct)).Where(v => v.Enabled).Select(v => v.Version);
        var message = $"{release.Version} is not enabled in channel group {release.ChannelGroup}; enabled: {string.Join(", ", enabled)}";
        throw NotEnabled(message, VersionPath, message);
    }

    /// <summary>The one shape of the 422 <c>version-not-enabled</c> refusal, for clusters and node pools alike.</summary>
    public static ApiException NotEnabled(string detail, string path, string fieldMessage) =>
        new(StatusCodes.Status422UnprocessableEntity, "version-not-enabled", "Unprocessable request", detail,
            new Dictionary<string, string[]>(StringComparer.Ordinal) { [path] = [fieldMessage] });

    /// <summary>
    /// A replace or patch from <paramref name="from"/> to <paramref name="to"/> of a cluster that runs
    /// <paramref name="running"/> (<c>status.version.current</c>, null before HyperShift reported one).
    /// Each refusal carries the versions allowed now (<c>allowedTargets</c>).
    /// </summary>
    public async Task CheckChangeAsync(ReleaseSpec from, ReleaseSpec to, string? running, CancellationToken ct)
    {
        if (to.Version == from.Version)
        {
            return;
        }

        if (running is null || running != from.Version)
        {
            throw Refusal(StatusCodes.Status409Conflict, "upgrade-in-progress", [], running is null
                ? $"The cluster has not yet reported the version it runs; it can be upgraded once it runs {from.Version}."
                : $"The cluster runs {running} and has not finished its upgrade to {from.Version}; it can be upgraded once it has.");
        }

        var edges = await catalog.EdgesFromAsync(running, to.ChannelGroup, ct);
        List<string> allowed = [.. edges.Where(e => e.Enabled).Select(e => e.Version)];
        var target = edges.FirstOrDefault(e => e.Version == to.Version);
        if (ChannelGroups.Compare(to.Version, running) < 0)
        {
            throw Refusal(StatusCodes.Status422UnprocessableEntity, "version-downgrade", allowed,
                $"{to.Version} is older than {running}, which the cluster runs; OpenShift does not downgrade.");
        }

        if (target is null)
        {
            throw Refusal(StatusCodes.Status422UnprocessableEntity, "version-not-an-upgrade", allowed,
                $"The update graph of channel group {to.ChannelGroup} has no edge from {running} to {to.Version}.");
        }

        if (!target.Enabled)
        {
            throw Refusal(StatusCodes.Status422UnprocessableEntity, "version-disabled", allowed,
                $"{to.Version} is disabled in channel group {to.ChannelGroup}.");
        }
    }

    /// <summary>
    /// <c>GET /api/v1/clusters/{id}/upgrades</c>: the enabled versions with an edge from
    /// <paramref name="running"/> in <paramref name="channelGroup"/>, oldest first; none while it is null.
    /// </summary>
    public async Task<ClusterUpgradeList> UpgradesAsync(string? running, string channelGroup, CancellationToken ct)
    {
        var edges = running is null ? [] : await catalog.EdgesFromAsync(running, channelGroup, ct);
        var minor = running is null ? null : ChannelGroups.MinorOf(running);
        return new ClusterUpgradeList("UpgradeList", running, channelGroup,
            [.. edges.Where(e => e.Enabled).Select(e => new ClusterUpgrade(e.Version, ChannelGroups.MinorOf(e.Version) == minor ? Patch : Minor, e.ReleaseImage))]);
    }

    public const string Patch = "patch";
    public const string Minor = "minor";

    private static ApiException Refusal(int status, string code, IReadOnlyList<string> allowed, string detail) =>
        new(status, code, status == StatusCodes.Status409Conflict ? "Conflict" : "Unprocessable request", detail) { AllowedTargets = allowed };
}
