using System.Security.Cryptography;
using ClusterPlatform.Api.Errors;
using ClusterPlatform.Api.Identity;
using Npgsql;

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

/// <summary>The first response to a request, kept to answer its repeats.</summary>
internal sealed record StoredResponse(int Status, string ETag, string Body);

/// <summary>
/// POST idempotency (API.md): the same key and body within 24 hours returns the first response;
/// the same key with another body returns 422. The key row is written in the create's own
/// transaction, so a concurrent repeat waits on it and then sees the committed response, and a
/// failed create leaves no key behind.
/// </summary>
internal static class Idempotency
{
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>Claims the key for this request, or returns the stored response if it was already answered.</summary>
    public static async Task<StoredResponse?> ClaimAsync(NpgsqlConnection connection, IdempotencyKey key, CancellationToken ct)
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
            "SELECT request_hash, response_status, response_etag, response_body FROM idempotency_keys WHERE scope = @scope AND key = @key", connection);
        AddKey(read, key);
        await using var reader = await read.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var hash = (byte[])reader[0];
        if (!hash.AsSpan().SequenceEqual(key.RequestHash))
        {
            throw ApiException.Unprocessable("idempotency-key-reused",
                $"{IdempotencyKey.Header} '{key.Key}' was already used with a different request body.");
        }

        return new StoredResponse(reader.GetInt32(1), reader.GetString(2), reader.GetString(3));
    }

    public static async Task CompleteAsync(NpgsqlConnection connection, IdempotencyKey key, StoredResponse response, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "UPDATE idempotency_keys SET response_status = @status, response_etag = @etag, response_body = @body WHERE scope = @scope AND key = @key",
            connection);
        AddKey(command, key);
        command.Parameters.AddWithValue("status", response.Status);
        command.Parameters.AddWithValue("etag", response.ETag);
        command.Parameters.AddWithValue("body", response.Body);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static void AddKey(NpgsqlCommand command, IdempotencyKey key)
    {
        command.Parameters.AddWithValue("scope", key.Scope);
        command.Parameters.AddWithValue("key", key.Key);
    }
}
