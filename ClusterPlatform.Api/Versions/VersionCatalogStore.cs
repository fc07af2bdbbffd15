namespace ClusterPlatform.Api.Versions;

/// <summary>The version catalog in PostgreSQL (table <c>versions</c>, migration 0011): the only place reads come from.</summary>
internal sealed class VersionCatalogStore(NpgsqlDataSource dataSource)
{
    // An admin's override wins over the graph; without one, the graph decides.
    private const string Enabled = "coalesce(admin_enabled, graph_enabled)";

    /// <summary>
    /// The most versions one list answers, newest first: the graph serves a few dozen per minor, so this
    /// bounds the document's list (Spectral's OWASP array limit) without cutting a real catalog.
    /// </summary>
    public const int MaxListed = 1000;

    /// <summary>The longest version string the catalog answers for (OpenShift's are like <c>4.22.3</c> or <c>4.23.0-rc.1</c>).</summary>
    public const int MaxVersionLength = 64;

    /// <summary>The longest release image reference: a registry path with <c>@sha256:</c> and 64 hex digits.</summary>
    public const int MaxReleaseImageLength = 512;

    /// <summary>The channel group's versions, newest first, at most <see cref="MaxListed"/>.</summary>
    public async Task<IReadOnlyList<OpenShiftVersion>> ListAsync(string channelGroup, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT version, channel_group, {Enabled}, is_default, end_of_life, release_image
            FROM versions WHERE channel_group = @group
            """);
        command.Parameters.AddWithValue("group", channelGroup);
        var versions = new List<OpenShiftVersion>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            versions.Add(new OpenShiftVersion(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2), reader.GetBoolean(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4), reader.GetString(5)));
        }

        versions.Sort((left, right) => ChannelGroups.Compare(right.Version, left.Version));
        return versions.Count > MaxListed ? versions[..MaxListed] : versions;
    }

    /// <summary>Whether the catalog holds any version (false only before its first refresh).</summary>
    public async Task<bool> AnyAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM versions)");
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Whether <paramref name="version"/> is in the catalog and enabled in <paramref name="channelGroup"/>.</summary>
    public async Task<bool> IsEnabledAsync(string version, string channelGroup, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Enabled} FROM versions WHERE channel_group = @group AND version = @version");
        command.Parameters.AddWithValue("group", channelGroup);
        command.Parameters.AddWithValue("version", version);
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>
    /// The catalog's versions with an update-graph edge from <paramref name="from"/> in
    /// <paramref name="channelGroup"/>, oldest first, enabled or not. Edges to versions the catalog does
    /// not hold (minors outside <c>Platform:SupportedVersions</c>) are left out. Empty when the catalog
    /// does not hold <paramref name="from"/> in the group.
    /// </summary>
    public async Task<IReadOnlyList<UpgradeEdge>> EdgesFromAsync(string from, string channelGroup, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT version, {Enabled}, release_image FROM versions
            WHERE channel_group = @group
              AND version = ANY (SELECT unnest(upgrades) FROM versions WHERE channel_group = @group AND version = @from)
            """);
        command.Parameters.AddWithValue("group", channelGroup);
        command.Parameters.AddWithValue("from", from);
        var edges = new List<UpgradeEdge>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            edges.Add(new UpgradeEdge(reader.GetString(0), reader.GetBoolean(1), reader.GetString(2)));
        }

        edges.Sort((left, right) => ChannelGroups.Compare(left.Version, right.Version));
        return edges;
    }

    /// <summary>
    /// Sets the admin's override of <paramref name="version"/> in every channel group, audited with
    /// <paramref name="actor"/>, in one transaction. False when the catalog has no such version.
    /// </summary>
    public async Task<bool> SetEnabledAsync(string version, bool enabled, string actor, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var update = new NpgsqlCommand("UPDATE versions SET admin_enabled = @enabled WHERE version = @version", connection, transaction);
        update.Parameters.AddWithValue("enabled", enabled);
        update.Parameters.AddWithValue("version", version);
        if (await update.ExecuteNonQueryAsync(ct) == 0)
        {
            return false;
        }

        await using var audit = new NpgsqlCommand("INSERT INTO version_audit (version, enabled, actor) VALUES (@version, @enabled, @actor)", connection, transaction);
        audit.Parameters.AddWithValue("version", version);
        audit.Parameters.AddWithValue("enabled", enabled);
        audit.Parameters.AddWithValue("actor", actor);
        await audit.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Writes one refresh of <paramref name="minors"/> in <paramref name="channelGroups"/> in one
    /// transaction: new versions are added, changed ones updated, and versions of those minors the graph
    /// no longer has are withdrawn (kept, not enabled by the graph). Rows are never deleted and the
    /// admin's override is never written, so a disable survives every refresh.
    /// </summary>
    public async Task<CatalogChanges> ApplyRefreshAsync(IReadOnlyList<string> channelGroups, IReadOnlyList<string> minors, IReadOnlyList<CatalogEntry> entries, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO versions AS v (channel_group, version, minor, graph_enabled, is_default, release_image, upgrades, refreshed_at)
            SELECT e.channel_group, e.version, e.minor, e.graph_enabled, e.is_default, e.release_image,
                   coalesce((SELECT array_agg(u) FROM jsonb_array_elements_text(e.upgrades) u), '{}'), now()
            FROM jsonb_to_recordset(@entries) AS e(channel_group text, version text, minor text, graph_enabled boolean,
                                                   is_default boolean, release_image text, upgrades jsonb)
            ON CONFLICT (channel_group, version) DO UPDATE
                SET minor = excluded.minor, graph_enabled = excluded.graph_enabled, is_default = excluded.is_default,
                    release_image = excluded.release_image, upgrades = excluded.upgrades, refreshed_at = excluded.refreshed_at
            """, connection, transaction);
        // A snapshot of what was there, to report what changed (the catalog is small: versions of a few minors).
        var before = new Dictionary<string, (bool, bool, string, string)>(StringComparer.Ordinal);
        await using (var read = new NpgsqlCommand("""
            SELECT channel_group || '/' || version, graph_enabled, is_default, release_image, array_to_string(upgrades, ',')
            FROM versions WHERE channel_group = ANY(@groups) AND minor = ANY(@minors) FOR UPDATE
            """, connection, transaction))
        {
            read.Parameters.AddWithValue("groups", channelGroups.ToArray());
            read.Parameters.AddWithValue("minors", minors.ToArray());
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                before[reader.GetString(0)] = (reader.GetBoolean(1), reader.GetBoolean(2), reader.GetString(3), reader.GetString(4));
            }
        }

        upsert.Parameters.Add(new NpgsqlParameter("entries", NpgsqlTypes.NpgsqlDbType.Jsonb)
        {
            Value = JsonSerializer.Serialize(entries.Select(e => new
            {
                channel_group = e.ChannelGroup, version = e.Version, minor = e.Minor, graph_enabled = e.GraphEnabled,
                is_default = e.IsDefault, release_image = e.ReleaseImage, upgrades = e.Upgrades,
            })),
        });
        await upsert.ExecuteNonQueryAsync(ct);

        await using var withdraw = new NpgsqlCommand("""
            UPDATE versions SET graph_enabled = false, is_default = false, refreshed_at = now()
            WHERE channel_group = ANY(@groups) AND minor = ANY(@minors) AND graph_enabled
              AND NOT (channel_group || '/' || version = ANY(@seen))
            RETURNING channel_group || '/' || version
            """, connection, transaction);
        withdraw.Parameters.AddWithValue("groups", channelGroups.ToArray());
        withdraw.Parameters.AddWithValue("minors", minors.ToArray());
        withdraw.Parameters.AddWithValue("seen", entries.Select(e => $"{e.ChannelGroup}/{e.Version}").ToArray());
        var withdrawn = new List<string>();
        await using (var reader = await withdraw.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                withdrawn.Add(reader.GetString(0));
            }
        }

        await transaction.CommitAsync(ct);

        var added = new List<string>();
        var changed = new List<string>();
        foreach (var entry in entries)
        {
            var key = $"{entry.ChannelGroup}/{entry.Version}";
            if (!before.TryGetValue(key, out var old))
            {
                added.Add(key);
            }
            else if (old != (entry.GraphEnabled, entry.IsDefault, entry.ReleaseImage, string.Join(',', entry.Upgrades)))
            {
                changed.Add(key);
            }
        }

        return new CatalogChanges(added, changed, withdrawn);
    }
}
