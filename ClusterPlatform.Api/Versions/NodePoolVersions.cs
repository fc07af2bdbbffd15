namespace ClusterPlatform.Api.Versions;

/// <summary>A cluster's control plane as the node pool version rules need it.</summary>
/// <param name="Version">The version it runs: <c>status.version.current</c>, or its spec's version before it has one.</param>
/// <param name="ChannelGroup">The channel group its release images come from (<c>spec.release.channelGroup</c>).</param>
internal sealed record ControlPlane(string Version, string ChannelGroup);

/// <summary>
/// Node pool versions inside the store's write transactions, where the rows they depend on are
/// locked: a pool's version against its cluster's control plane, and a cluster's new version against
/// its live pools. The rule itself is <see cref="VersionSkew"/>'s. Pool writes hold their cluster FOR
/// (KEY) SHARE and cluster writes hold it FOR UPDATE, so a pool change and a cluster upgrade never
/// both pass against each other's old version.
/// </summary>
internal sealed class NodePoolVersions(VersionCatalogStore catalog)
{
    /// <summary>
    /// The one place the control plane's running version is read: HyperShift's newest Completed version
    /// as the status aggregation puts it (<c>status.version.current</c>), and before the cluster has one,
    /// the version it is being installed at (as HyperShift's check uses the desired version while the
    /// history is empty).
    /// </summary>
    private const string ControlPlaneColumns = """
        coalesce(status #>> '{version,current}', spec #>> '{release,version}') AS version,
        coalesce(spec #>> '{release,channelGroup}', 'stable') AS channel_group
        """;

    // Key share is enough against a cluster upgrade (FOR UPDATE) and does not hold up status reports.
    private const string LockClusterOfPool = $"""
        SELECT {ControlPlaneColumns} FROM clusters
        WHERE id = (SELECT cluster_id FROM node_pools WHERE id = @id) FOR KEY SHARE
        """;

    private const string ReadCluster = $"SELECT {ControlPlaneColumns} FROM clusters WHERE id = @id";

    private const string LivePools = """
        SELECT name, spec ->> 'version' FROM node_pools WHERE cluster_id = @id AND deletion_timestamp IS NULL ORDER BY name
        """;

    /// <summary>
    /// Locks the cluster of node pool <paramref name="poolId"/> (before the pool itself, in the order a
    /// cluster delete locks them) and reads its control plane; null when there is no such pool.
    /// </summary>
    public static Task<ControlPlane?> LockControlPlaneOfPoolAsync(NpgsqlConnection connection, Guid poolId, CancellationToken ct) =>
        ReadControlPlaneAsync(connection, LockClusterOfPool, poolId, ct);

    /// <summary>
    /// A new pool's spec with its version filled in (the control plane's, when left out) and checked:
    /// <paramref name="clusterId"/> must already be locked by the caller.
    /// </summary>
    public async Task<string> CompleteNewPoolAsync(NpgsqlConnection connection, Guid clusterId, string spec, CancellationToken ct)
    {
        var controlPlane = (await ReadControlPlaneAsync(connection, ReadCluster, clusterId, ct))!;
        var pool = StoredJson.Read<NodePoolSpec>(spec);
        if (pool.Version is null)
        {
            return StoredJson.Write(pool with { Version = controlPlane.Version });
        }

        await RequireAllowedAsync(controlPlane, pool.Version, ct);
        return spec;
    }

    /// <summary>
    /// Checks an update's new spec: a pool's new version against its <paramref name="controlPlane"/>,
    /// a cluster's new version against its live pools. An unchanged version is not checked again, so a
    /// pool HyperShift already runs outside the skew can still be scaled (HyperShift keeps running it too).
    /// </summary>
    public async Task CheckUpdateAsync(NpgsqlConnection connection, ResourceKind kind, ResourceRow current, string spec, ControlPlane? controlPlane,
        CancellationToken ct)
    {
        if (kind == ResourceKind.NodePool)
        {
            var version = StoredJson.Read<NodePoolSpec>(spec).Version;
            if (version != StoredJson.Read<NodePoolSpec>(current.Spec).Version)
            {
                await RequireAllowedAsync(controlPlane!, version, ct);
            }

            return;
        }

        var target = StoredJson.Read<ClusterSpec>(spec).Release.Version;
        if (target != StoredJson.Read<ClusterSpec>(current.Spec).Release.Version)
        {
            VersionSkew.RequireNoneStranded(target, await LivePoolsAsync(connection, current.Id, ct));
        }
    }

    /// <summary>
    /// A pool version other than the control plane's must be one the catalog enables in the cluster's
    /// channel group (that is where its release image comes from), and inside the skew. The control
    /// plane's own version is always allowed, even if an admin disabled it since: HyperShift's NodePool
    /// takes the HostedCluster's release by default, and a new pool must be able to match what runs.
    /// </summary>
    private async Task RequireAllowedAsync(ControlPlane controlPlane, string version, CancellationToken ct)
    {
        if (version == controlPlane.Version)
        {
            return;
        }

        VersionSkew.RequireSupported(controlPlane.Version, version);
        if (!await catalog.IsEnabledAsync(version, controlPlane.ChannelGroup, ct))
        {
            var allowed = (await catalog.ListAsync(controlPlane.ChannelGroup, ct))
                .Where(v => v.Enabled && VersionSkew.Violation(controlPlane.Version, v.Version) is null).Select(v => v.Version);
            throw ReleaseChecks.NotEnabled($"Version {version} is not enabled in channel group {controlPlane.ChannelGroup}.", "$.spec.version",
                $"must be the control plane's version {controlPlane.Version} or a version enabled in channel group " +
                $"{controlPlane.ChannelGroup} within the supported skew: {string.Join(", ", allowed)}");
        }
    }

    private static async Task<IReadOnlyList<(string Name, string Version)>> LivePoolsAsync(NpgsqlConnection connection, Guid clusterId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(LivePools, connection);
        command.Parameters.AddWithValue("id", clusterId);
        var pools = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            pools.Add((reader.GetString(0), reader.GetString(1)));
        }

        return pools;
    }

    private static async Task<ControlPlane?> ReadControlPlaneAsync(NpgsqlConnection connection, string sql, Guid id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ControlPlane(reader.Column<string>("version"), reader.Column<string>("channel_group")) : null;
    }
}
