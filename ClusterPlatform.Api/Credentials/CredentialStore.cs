using ClusterPlatform.Api.Events;

namespace ClusterPlatform.Api.Credentials;

/// <summary>A stored credential, with what only the Api sees (the CSR, the requester's key, the CA bundle).</summary>
/// <param name="Status">The state as read (<see cref="CredentialStore.StatusColumn"/>): Expired when past expiresAt.</param>
internal sealed record CredentialRow(Guid Id, Guid ClusterId, string Status, string StoredState, string Subject, string RequestedBy, string RequesterKey,
    DateTimeOffset RequestedAt, DateTimeOffset ExpiresAt, DateTimeOffset? IssuedAt, DateTimeOffset? RevokedAt, string? Message,
    string? Certificate, string? CaBundle, string? ApiUrl, string Csr, int ExpirationSeconds);

/// <summary>
/// The credentials and revocations of clusters (Data/Migrations/0015_credentials.sql). Each request and
/// revocation is one statement that checks the cluster, writes the row, queues the cluster's
/// <c>cluster.reconcile</c> and its audit row, and brings the cluster's scheduled reconcile forward so
/// a lost event is re-driven (<see cref="ReconcileScheduler"/>); each controller report is one
/// transaction that moves only what is still pending. Callers have checked who may see the cluster.
/// </summary>
internal sealed class CredentialStore(NpgsqlDataSource dataSource, IOptions<ReconcileOptions> reconcile, ILogger<CredentialStore> logger)
{
    /// <summary>The most a list returns, newest first (the list has no pages: <see cref="CredentialList"/>), and the most work items of each kind.</summary>
    public const int MaxListed = 100;

    /// <summary>docs/api.md "Credentials": a Pending or Issued credential past its expiresAt reads as Expired, without any job.</summary>
    public const string StatusColumn = "CASE WHEN state IN ('Pending', 'Issued') AND expires_at <= now() THEN 'Expired' ELSE state END";

    private const string Columns = $"""
        id, cluster_id, {StatusColumn} AS status, state, subject, requested_by, requester_key, requested_at, expires_at, issued_at, revoked_at,
        message, certificate, ca_bundle, api_url, csr, expiration_seconds
        """;

    private const string RevocationColumns = "id, cluster_id, state, requested_by, requested_at, completed_at, message";

    // The cluster a user writes to: visible in @org (null: any), locked against a concurrent delete or
    // update while the row is written. ready: what a credential request needs.
    private const string TargetCluster = """
        target AS (
            SELECT id, generation, phase = 'Ready' AND deletion_timestamp IS NULL AS ready
            FROM clusters WHERE id = @cluster_id AND (@org IS NULL OR organization = @org)
            FOR NO KEY UPDATE
        )
        """;

    // Queues the reconcile and writes the audit row of a request or revocation written by the CTE
    // `written`, and moves the cluster's scheduled reconcile to the not-ready sweep's interval at most:
    // a Ready cluster is otherwise due only after Reconcile:ReadyAfter, too late for a lost event.
    private static string Announce(string action) => $"""
        announced AS (
            UPDATE clusters c SET next_reconcile_at = least(c.next_reconcile_at, now() + @not_ready_after)
            FROM written WHERE c.id = written.cluster_id
            RETURNING enqueue_event('{EventTypes.ClusterReconcile}', c.id, NULL, c.generation, @traceparent),
                audit(c.id, NULL, '{action}', @actor, c.generation, @reason)
        )
        """;

    /// <summary>
    /// Stores a Pending credential on a Ready cluster visible in <paramref name="org"/>; null when the
    /// cluster is not visible; throws a 409 when it is not Ready.
    /// </summary>
    public async Task<CredentialRow?> RequestAsync(Guid clusterId, string? org, Caller caller, AdmittedCredentialRequest request, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var command = dataSource.CreateCommand($"""
            WITH {TargetCluster}, written AS (
                INSERT INTO credentials (id, cluster_id, requested_by, requester_key, subject, csr, expiration_seconds, state, requested_at, expires_at)
                SELECT @id, id, @actor, @requester_key, @subject, @csr, @expiration_seconds, 'Pending', now(), now() + make_interval(secs => @expiration_seconds)
                FROM target WHERE ready
                RETURNING {Columns}
            ), {Announce("credential.requested")}
            SELECT target.ready, written.* FROM target LEFT JOIN written ON true
            """);
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("requester_key", caller.Key);
        command.Parameters.AddWithValue("subject", request.Subject);
        command.Parameters.AddWithValue("csr", request.Csr);
        command.Parameters.AddWithValue("expiration_seconds", request.ExpirationSeconds);
        AddWriteParameters(command, clusterId, org, caller.Subject, $"credential {id}");
        CredentialRow row;
        // The reader is disposed (its connection back in the pool) before the signal takes one.
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                return null;
            }

            if (!reader.GetBoolean(0))
            {
                throw ApiException.Conflict("cluster-not-ready", $"Cluster {clusterId} is not Ready: credentials are issued by its running control plane, so request one once the cluster is Ready.");
            }

            row = ReadCredential(reader, 1);
        }

        await OutboxSignal.SendAsync(dataSource, logger);
        return row;
    }

    /// <summary>The cluster's newest credentials, at most <see cref="MaxListed"/>.</summary>
    public async Task<IReadOnlyList<CredentialRow>> ListAsync(Guid clusterId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM credentials WHERE cluster_id = @cluster_id ORDER BY requested_at DESC, id DESC LIMIT @limit");
        command.Parameters.AddWithValue("cluster_id", clusterId);
        command.Parameters.AddWithValue("limit", MaxListed);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<CredentialRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(ReadCredential(reader, 0));
        }

        return rows;
    }

    public async Task<CredentialRow?> FindAsync(Guid clusterId, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM credentials WHERE cluster_id = @cluster_id AND id = @id");
        command.Parameters.AddWithValue("cluster_id", clusterId);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadCredential(reader, 0) : null;
    }

    /// <summary>Stores a Pending revocation of every credential of a cluster visible in <paramref name="org"/>; null when it is not visible.</summary>
    public async Task<CredentialRevocation?> RevokeAsync(Guid clusterId, string? org, string actor, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        await using var command = dataSource.CreateCommand($"""
            WITH {TargetCluster}, written AS (
                INSERT INTO credential_revocations (id, cluster_id, requested_by, state, requested_at)
                SELECT @id, id, @actor, 'Pending', now() FROM target
                RETURNING {RevocationColumns}
            ), {Announce("credentials.revoke-requested")}
            SELECT * FROM written
            """);
        command.Parameters.AddWithValue("id", id);
        AddWriteParameters(command, clusterId, org, actor, $"revocation {id}");
        CredentialRevocation? revocation;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            revocation = await reader.ReadAsync(ct) ? ReadRevocation(reader) : null;
        }

        if (revocation is not null)
        {
            await OutboxSignal.SendAsync(dataSource, logger);
        }

        return revocation;
    }

    public async Task<CredentialRevocation?> FindRevocationAsync(Guid clusterId, Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {RevocationColumns} FROM credential_revocations WHERE cluster_id = @cluster_id AND id = @id");
        command.Parameters.AddWithValue("cluster_id", clusterId);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadRevocation(reader) : null;
    }

    /// <summary>
    /// The operator client's work on a cluster: Pending credentials not yet expired, and Pending
    /// revocations, oldest first, at most <see cref="MaxListed"/> of each (the rest come on the next
    /// reconcile, which pending work keeps coming).
    /// </summary>
    public async Task<CredentialWork> WorkAsync(Guid clusterId, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT id, csr, expiration_seconds, subject FROM credentials WHERE cluster_id = @cluster_id AND state = 'Pending' AND expires_at > now() ORDER BY requested_at, id LIMIT @limit")
        { Parameters = { new NpgsqlParameter("cluster_id", clusterId), new NpgsqlParameter("limit", MaxListed) } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "SELECT id, requested_at FROM credential_revocations WHERE cluster_id = @cluster_id AND state = 'Pending' ORDER BY requested_at, id LIMIT @limit")
        { Parameters = { new NpgsqlParameter("cluster_id", clusterId), new NpgsqlParameter("limit", MaxListed) } });
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var signing = new List<CredentialSigningWork>();
        while (await reader.ReadAsync(ct))
        {
            signing.Add(new CredentialSigningWork(reader.GetGuid(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3)));
        }

        await reader.NextResultAsync(ct);
        var revocations = new List<RevocationWork>();
        while (await reader.ReadAsync(ct))
        {
            revocations.Add(new RevocationWork(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return new CredentialWork("CredentialWork", signing, revocations);
    }

    /// <summary>
    /// Applies the operator client's report on a credential: <paramref name="decide"/> sees the locked row
    /// and returns the change to make (null: none, the report repeats what is stored) or throws.
    /// </summary>
    public async Task<CredentialRow?> ReportIssuanceAsync(Guid clusterId, Guid id, string actor, Func<CredentialRow, IssuanceChange?> decide, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        CredentialRow? row;
        await using (var find = new NpgsqlCommand($"SELECT {Columns} FROM credentials WHERE cluster_id = @cluster_id AND id = @id FOR UPDATE", connection, transaction))
        {
            find.Parameters.AddWithValue("cluster_id", clusterId);
            find.Parameters.AddWithValue("id", id);
            await using var reader = await find.ExecuteReaderAsync(ct);
            row = await reader.ReadAsync(ct) ? ReadCredential(reader, 0) : null;
        }

        if (row is null || decide(row) is not { } change)
        {
            return row;
        }

        await using (var update = new NpgsqlCommand($"""
            WITH written AS (
                UPDATE credentials SET state = @state, certificate = @certificate, ca_bundle = @ca_bundle, api_url = @api_url, message = @message,
                    issued_at = CASE WHEN @state = 'Issued' THEN now() END, expires_at = coalesce(@expires_at, expires_at)
                WHERE id = @id
                RETURNING {Columns}
            ), audited AS (
                SELECT audit(c.id, NULL, @action, @actor, c.generation, @reason) FROM clusters c WHERE c.id = @cluster_id
            )
            SELECT written.*, (SELECT count(*) FROM audited) FROM written
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("cluster_id", clusterId);
            update.Parameters.AddWithValue("state", change.State);
            update.Parameters.Add(Text("certificate", change.Certificate));
            update.Parameters.Add(Text("ca_bundle", change.CaBundle));
            update.Parameters.Add(Text("api_url", change.ApiUrl));
            update.Parameters.Add(Text("message", change.Message));
            update.Parameters.Add(new NpgsqlParameter("expires_at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = change.ExpiresAt is { } at ? at : DBNull.Value });
            update.Parameters.AddWithValue("action", change.State == CredentialStates.Issued ? "credential.issued" : "credential.failed");
            update.Parameters.AddWithValue("actor", actor);
            update.Parameters.AddWithValue("reason", $"credential {id}");
            await using var reader = await update.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            row = ReadCredential(reader, 0);
        }

        await transaction.CommitAsync(ct);
        return row;
    }

    /// <summary>
    /// Applies the operator client's report on a revocation, as <see cref="ReportIssuanceAsync"/> does. A
    /// completed one revokes, in the same transaction, every credential of the cluster requested at or
    /// before it that is Pending or Issued as stored (HyperShift revokes by signer, so every one).
    /// </summary>
    public async Task<CredentialRevocation?> ReportRevocationAsync(Guid clusterId, Guid id, string actor, Func<CredentialRevocation, RevocationChange?> decide,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        CredentialRevocation? revocation;
        await using (var find = new NpgsqlCommand($"SELECT {RevocationColumns} FROM credential_revocations WHERE cluster_id = @cluster_id AND id = @id FOR UPDATE",
            connection, transaction))
        {
            find.Parameters.AddWithValue("cluster_id", clusterId);
            find.Parameters.AddWithValue("id", id);
            await using var reader = await find.ExecuteReaderAsync(ct);
            revocation = await reader.ReadAsync(ct) ? ReadRevocation(reader) : null;
        }

        if (revocation is null || decide(revocation) is not { } change)
        {
            return revocation;
        }

        await using (var update = new NpgsqlCommand($"""
            WITH written AS (
                UPDATE credential_revocations SET state = @state, message = @message, completed_at = now()
                WHERE id = @id
                RETURNING {RevocationColumns}
            ), revoked AS (
                UPDATE credentials SET state = 'Revoked', revoked_at = now()
                FROM written
                WHERE written.state = 'Completed' AND credentials.cluster_id = written.cluster_id
                    AND credentials.requested_at <= written.requested_at AND credentials.state IN ('Pending', 'Issued')
                RETURNING credentials.id
            ), audited AS (
                SELECT audit(c.id, NULL, @action, @actor, c.generation, @reason) FROM clusters c WHERE c.id = @cluster_id
            )
            SELECT written.*, (SELECT count(*) FROM audited), (SELECT count(*) FROM revoked) FROM written
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", id);
            update.Parameters.AddWithValue("cluster_id", clusterId);
            update.Parameters.AddWithValue("state", change.State);
            update.Parameters.Add(Text("message", change.Message));
            update.Parameters.AddWithValue("action", change.State == RevocationStates.Completed ? "credentials.revoked" : "credentials.revocation-failed");
            update.Parameters.AddWithValue("actor", actor);
            update.Parameters.AddWithValue("reason", $"revocation {id}");
            await using var reader = await update.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            revocation = ReadRevocation(reader);
        }

        await transaction.CommitAsync(ct);
        return revocation;
    }

    private void AddWriteParameters(NpgsqlCommand command, Guid clusterId, string? org, string actor, string reason)
    {
        command.Parameters.AddWithValue("cluster_id", clusterId);
        command.Parameters.Add(Text("org", org));
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("reason", reason);
        command.Parameters.AddWithValue("not_ready_after", reconcile.Value.NotReadyAfter);
        command.Parameters.Add(TraceContext.Current());
    }

    private static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlTypes.NpgsqlDbType.Text) { Value = value is null ? DBNull.Value : value };

    private static CredentialRow ReadCredential(NpgsqlDataReader reader, int first)
    {
        string? OptionalText(int i) => reader.IsDBNull(first + i) ? null : reader.GetString(first + i);
        DateTimeOffset? OptionalTime(int i) => reader.IsDBNull(first + i) ? null : reader.GetFieldValue<DateTimeOffset>(first + i);
        return new CredentialRow(reader.GetGuid(first), reader.GetGuid(first + 1), reader.GetString(first + 2), reader.GetString(first + 3),
            reader.GetString(first + 4), reader.GetString(first + 5), reader.GetString(first + 6), reader.GetFieldValue<DateTimeOffset>(first + 7),
            reader.GetFieldValue<DateTimeOffset>(first + 8), OptionalTime(9), OptionalTime(10), OptionalText(11), OptionalText(12), OptionalText(13),
            OptionalText(14), reader.GetString(first + 15), reader.GetInt32(first + 16));
    }

    private static CredentialRevocation ReadRevocation(NpgsqlDataReader reader) =>
        new("CredentialRevocation", reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.GetString(3), reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6));
}

/// <summary>What a credential report changes: the new state and what it carries.</summary>
internal sealed record IssuanceChange(string State, string? Certificate, string? CaBundle, string? ApiUrl, string? Message, DateTimeOffset? ExpiresAt);

/// <summary>What a revocation report changes.</summary>
internal sealed record RevocationChange(string State, string? Message);
