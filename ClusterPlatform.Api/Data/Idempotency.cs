using System.Globalization;
using System.Security.Cryptography;

namespace ClusterPlatform.Api.Data;

/// <summary>An Idempotency-Key with what it is bound to: who sent it, to which collection, with which body.</summary>
internal sealed record IdempotencyKey(string Scope, string Key, byte[] RequestHash)
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 255;

    public static IdempotencyKey? From(string? header, Caller caller, ResourceKind kind, byte[] body)
    {
        if (header is null)
        {
            return null;
        }

        if (header.Length is 0 or > MaxLength || header.Any(c => c < 0x21 || c > 0x7e))
        {
            throw ApiException.BadRequest("invalid-idempotency-key", $"{Header} must be 1–{MaxLength} visible ASCII characters.");
        }

        return new IdempotencyKey(ScopeOf(kind, caller), header, SHA256.HashData(body));
    }

    /// <summary>
    /// The collection and the caller (<see cref="Caller.Key"/>, which no other caller shares, so no
    /// caller replays another's stored 201 body). Tables have no <c>|</c>, so the first one ends the table.
    /// </summary>
    internal static string ScopeOf(ResourceKind kind, Caller caller) => $"{kind.Table}|{caller.Key}";
}

/// <summary>
/// POST idempotency (API.md): the same key and body within 24 hours returns the first response;
/// the same key with another body returns 422. The key row is written in the create's own
/// transaction, so a concurrent repeat waits on it and then sees the committed response, and a
/// failed create leaves no key behind.
/// </summary>
/// <remarks>
/// The key keeps the row the create returned, not a rendered body: a repeat is answered from that row
/// exactly as the first request was from the same row, so it gets the first response even after the
/// resource has changed, and the data layer needs nothing from the endpoints to keep it.
/// </remarks>
internal static class Idempotency
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Claims the key for this request, or returns the row the first request created if it was already answered.</summary>
    public static async Task<ResourceRow?> ClaimAsync(NpgsqlConnection connection, IdempotencyKey key, CancellationToken ct)
    {
        // A key older than the retention is taken over as if new.
        await using (var claim = new NpgsqlCommand("""
            INSERT INTO idempotency_keys (scope, key, request_hash, created_at)
            VALUES (@scope, @key, @hash, now())
            ON CONFLICT (scope, key) DO UPDATE
                SET request_hash = excluded.request_hash, created_at = excluded.created_at, response_status = NULL, response_etag = NULL, response_body = NULL
                WHERE idempotency_keys.created_at < now() - @retention
            RETURNING 1
            """, connection))
        {
            AddKey(claim, key);
            claim.Parameters.AddWithValue("hash", key.RequestHash);
            claim.Parameters.AddWithValue("retention", Retention);
            if (await claim.ExecuteScalarAsync(ct) is not null)
            {
                return null;
            }
        }

        await using var read = new NpgsqlCommand(
            "SELECT request_hash, response_etag, response_body FROM idempotency_keys WHERE scope = @scope AND key = @key", connection);
        AddKey(read, key);
        await using var reader = await read.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        if (!reader.Column<byte[]>("request_hash").AsSpan().SequenceEqual(key.RequestHash))
        {
            throw ApiException.Unprocessable("idempotency-key-reused",
                $"{IdempotencyKey.Header} '{key.Key}' was already used with a different request body.");
        }

        return Replay(reader.Column<string>("response_body"), reader.Column<string>("response_etag"));
    }

    /// <summary>Keeps the created row for the key's repeats (the status and ETag columns say what they were answered with).</summary>
    public static async Task CompleteAsync(NpgsqlConnection connection, IdempotencyKey key, ResourceRow created, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE idempotency_keys SET response_status = 201, response_etag = @etag, response_body = @body WHERE scope = @scope AND key = @key",
            connection);
        AddKey(command, key);
        command.Parameters.AddWithValue("etag", created.ETag);
        command.Parameters.AddWithValue("body", StoredJson.Write(created));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// The stored first row. Keys stored before rows were kept hold the rendered 201 body instead (until
    /// they expire, 24 hours after the upgrade); every resource body has a <c>kind</c>, which a row has not.
    /// Such a body is read back into the row it was made from, so it is answered as every other repeat:
    /// it names each column the response shows, and the ETag is the resource version. A node pool's body
    /// has no organization, which its response does not show either.
    /// </summary>
    private static ResourceRow Replay(string body, string etag)
    {
        using var stored = JsonDocument.Parse(body);
        var root = stored.RootElement;
        if (!root.TryGetProperty("kind", out _))
        {
            return root.Deserialize<ResourceRow>(StoredJson.Options)!;
        }

        string Text(string name) => root.GetProperty(name).GetString()!;
        DateTime Time(string name) => root.GetProperty(name).GetDateTime();
        string Json(string name) => root.GetProperty(name).GetRawText();
        var id = root.GetProperty("id").GetGuid();
        return new ResourceRow(
            id, root.TryGetProperty("clusterId", out var clusterId) ? clusterId.GetGuid() : id,
            root.TryGetProperty("organization", out var organization) ? organization.GetString()! : "",
            Text("name"), Json("labels"), Json("spec"), root.GetProperty("generation").GetInt64(),
            long.Parse(etag.Trim('"'), CultureInfo.InvariantCulture), Time("createdAt"), Time("updatedAt"), Text("createdBy"),
            root.GetProperty("deletionTimestamp").ValueKind == JsonValueKind.Null ? null : Time("deletionTimestamp"), Json("status"));
    }

    private static void AddKey(NpgsqlCommand command, IdempotencyKey key)
    {
        command.Parameters.AddWithValue("scope", key.Scope);
        command.Parameters.AddWithValue("key", key.Key);
    }
}
