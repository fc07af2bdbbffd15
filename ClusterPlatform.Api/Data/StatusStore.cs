using ClusterPlatform.Api.Events;
using NpgsqlTypes;

namespace ClusterPlatform.Api.Data;

/// <summary>
/// Status reports and what they lead to. Each report is one call of the kind's function
/// (<c>report_cluster_status</c>, <c>report_node_pool_status</c>, both <c>report_status</c> in
/// <c>Data/Functions</c>): one round trip and one transaction that validates, stores, aggregates,
/// queues a reconcile on a transition and finalizes deletions; then, if it queued one, the relays
/// are woken (<see cref="OutboxSignal"/>).
/// </summary>
internal sealed class StatusStore(NpgsqlDataSource dataSource, IOptions<PlatformOptions> platform, IOptions<ReconcileOptions> reconcile,
    ILogger<StatusStore> logger)
{
    /// <summary>Stores a report; the new aggregated status, as stored (jsonb's text), for the response to copy through.</summary>
    public async Task<string> ReportAsync(ResourceKind kind, Guid id, StatusReportRequest report, string actor, CancellationToken ct)
    {
        var required = platform.Value.RequiredControllers;
        await using var command = dataSource.CreateCommand(kind == ResourceKind.Cluster
            ? "SELECT outcome, status::text, queued FROM report_cluster_status(@id, @controller, @generation, @version, @conditions, @data, @required, @known, @traceparent, @ready_after, @not_ready_after, @actor)"
            : "SELECT outcome, status::text, queued FROM report_node_pool_status(@id, @controller, @generation, @version, @conditions, @data, @required, @cluster_required, @known, @traceparent, @actor)");
        command.Parameters.AddWithValue("id", id);
        command.Parameters.AddWithValue("controller", report.Controller);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("generation", report.ObservedGeneration);
        // NULL: an unconditional report (no version sent).
        command.Parameters.Add(new NpgsqlParameter("version", NpgsqlDbType.Bigint) { Value = report.Version is { } version ? version : DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("conditions", NpgsqlDbType.Jsonb) { Value = StoredJson.Write(report.Conditions) });
        command.Parameters.Add(new NpgsqlParameter("data", NpgsqlDbType.Jsonb) { Value = report.Data is { } data ? data.GetRawText() : DBNull.Value });
        command.Parameters.AddWithValue("required", (kind == ResourceKind.Cluster ? required.Cluster : required.NodePool).ToArray());
        command.Parameters.AddWithValue("cluster_required", required.Cluster.ToArray());
        command.Parameters.AddWithValue("known", ControllerNames.All.ToArray());
        command.Parameters.Add(TraceContext.Current());
        command.Parameters.AddWithValue("ready_after", reconcile.Value.ReadyAfter);
        command.Parameters.AddWithValue("not_ready_after", reconcile.Value.NotReadyAfter);

        string outcome, status;
        bool queued;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            outcome = reader.GetString(0);
            status = reader.IsDBNull(1) ? "" : reader.GetString(1);
            queued = reader.GetBoolean(2);
        }

        if (queued)
        {
            // Most reports change nothing a controller waits on and queue no event: no wake-up for them.
            await OutboxSignal.SendAsync(dataSource, logger);
        }

        return outcome switch
        {
            "ok" => status,
            "not-found" => throw ApiException.NotFound(kind.Name, id),
            "unknown-controller" => throw ApiException.BadRequest("unknown-controller",
                $"'{report.Controller}' is not a controller of this platform: {string.Join(", ", ControllerNames.All)}."),
            "stale-report" => throw ApiException.Conflict("stale-report",
                $"{report.Controller} already reported a later generation than {report.ObservedGeneration}; this report changes nothing."),
            "report-conflict" => throw ApiException.Conflict("report-conflict",
                $"{report.Controller}'s status entry is no longer at version {report.Version}: another report was stored since it was read. Read the resource again and report from what it says."),
            "future-generation" => throw ApiException.Unprocessable("future-generation",
                $"observedGeneration {report.ObservedGeneration} is ahead of the {kind.Name.ToLowerInvariant()}'s generation."),
            _ => throw new InvalidOperationException($"Unexpected outcome '{outcome}' from the status function."),
        };
    }

    /// <summary>The raw latest report of every controller on a resource.</summary>
    public async Task<IReadOnlyList<ControllerStatus>> ReportsAsync(Guid resourceId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT controller, observed_generation, version, last_report_time, conditions::text, data::text FROM resource_statuses WHERE resource_id = @id ORDER BY controller");
        command.Parameters.AddWithValue("id", resourceId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var reports = new List<ControllerStatus>();
        while (await reader.ReadAsync(ct))
        {
            reports.Add(new ControllerStatus(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetDateTime(3),
                StoredJson.Read<List<Condition>>(reader.GetString(4)),
                reader.IsDBNull(5) ? null : JsonDocument.Parse(reader.GetString(5)).RootElement.Clone()));
        }

        return reports;
    }

    /// <summary>
    /// The public JWKS of the cluster's service-account signing key, as environment validation last
    /// reported it (<c>data.signingKey.jwks</c>), as JSON text; null while no report carries one.
    /// </summary>
    public async Task<string?> SigningKeySetAsync(Guid clusterId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (data #> @path)::text FROM resource_statuses
            WHERE resource_id = @id AND controller = @controller AND jsonb_typeof(data #> @path) = 'object'
            """);
        command.Parameters.AddWithValue("path", new[] { SigningKeyData.DataField, "jwks" });
        command.Parameters.AddWithValue("id", clusterId);
        command.Parameters.AddWithValue("controller", ControllerNames.EnvironmentValidation);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    /// <summary>A page of a cluster's audit trail (its node pools' entries included), after entry <paramref name="after"/>.</summary>
    public async Task<(IReadOnlyList<AuditEntry> Items, long? Next)> AuditAsync(Guid clusterId, long after, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id, cluster_id, node_pool_id, action, actor, generation, reason, at
            FROM audit_log WHERE cluster_id = @id AND id > @after ORDER BY id LIMIT @limit
            """);
        command.Parameters.AddWithValue("id", clusterId);
        command.Parameters.AddWithValue("after", after);
        command.Parameters.AddWithValue("limit", Page.FetchCount(limit));
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<AuditEntry>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), reader.GetGuid(1), reader.IsDBNull(2) ? null : reader.GetGuid(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetDateTime(7)));
        }

        return (entries, Page.Trim(entries, limit, e => e.Id));
    }
}
