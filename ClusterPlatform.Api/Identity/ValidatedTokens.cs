using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;

namespace ClusterPlatform.Api.Identity;

/// <summary>
/// The principals of bearer tokens one scheme has validated, kept by the SHA-256 of the token until the
/// token's <c>exp</c>, so a caller's repeated token costs one hash instead of a signature check, a claims
/// read and <see cref="TokenClaims.Check"/> on every request. Only what the scheme accepted is kept, and
/// it is the very principal the scheme produced. Not past <c>exp</c> (no clock skew is added, so a cached
/// token is refused sooner than a fresh validation would refuse it), and never the token itself.
/// Bounded: when full, expired entries are dropped, and if none had expired, all of them.
/// </summary>
internal sealed class ValidatedTokens(TimeProvider time, int capacity = ValidatedTokens.DefaultCapacity)
{
    /// <summary>More distinct live tokens than one replica sees in an hour of a busy fleet.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<TokenHash, Entry> entries = new();
    private readonly Lock sweeping = new();
    private int count;

    /// <summary>The principal <paramref name="token"/> was validated to, or null when it is not kept or its <c>exp</c> has passed.</summary>
    public Entry? Find(string token)
    {
        var key = TokenHash.Of(token);
        if (!entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (time.GetUtcNow() < entry.Expires)
        {
            return entry;
        }

        Forget(key, entry);
        return null;
    }

    /// <summary>Keeps what <paramref name="token"/> was validated to, until <paramref name="expires"/> (its <c>exp</c>).</summary>
    public void Remember(string token, ClaimsPrincipal principal, DateTimeOffset expires)
    {
        if (expires <= time.GetUtcNow())
        {
            return; // accepted within the clock skew only: not worth keeping, and never past exp
        }

        if (Volatile.Read(ref count) >= capacity)
        {
            Sweep();
        }

        if (entries.TryAdd(TokenHash.Of(token), new Entry(principal, expires)))
        {
            Interlocked.Increment(ref count);
        }
    }

    /// <summary>How many tokens are kept.</summary>
    public int Count => Volatile.Read(ref count);

    /// <summary>A kept token's principal and expiry.</summary>
    public sealed record Entry(ClaimsPrincipal Principal, DateTimeOffset Expires);

    private void Forget(TokenHash key, Entry entry)
    {
        if (entries.TryRemove(KeyValuePair.Create(key, entry)))
        {
            Interlocked.Decrement(ref count);
        }
    }

    private void Sweep()
    {
        lock (sweeping)
        {
            if (Volatile.Read(ref count) < capacity)
            {
                return; // another request swept meanwhile
            }

            var now = time.GetUtcNow();
            foreach (var (key, entry) in entries)
            {
                if (entry.Expires <= now)
                {
                    Forget(key, entry);
                }
            }

            if (Volatile.Read(ref count) >= capacity)
            {
                // As many live tokens as the bound: start over rather than pay a sweep per new token.
                entries.Clear();
                Volatile.Write(ref count, 0);
            }
        }
    }

    /// <summary>SHA-256 of the token's UTF-8 bytes, as a value the dictionary compares without allocating.</summary>
    private readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
    {
        public static TokenHash Of(string token)
        {
            var length = Encoding.UTF8.GetMaxByteCount(token.Length);
            var rented = length > 2048 ? ArrayPool<byte>.Shared.Rent(length) : null;
            try
            {
                Span<byte> bytes = rented ?? stackalloc byte[length];
                var written = Encoding.UTF8.GetBytes(token, bytes);
                Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
                SHA256.HashData(bytes[..written], hash);
                var words = MemoryMarshal.Cast<byte, ulong>(hash);
                return new TokenHash(words[0], words[1], words[2], words[3]);
            }
            finally
            {
                if (rented is not null)
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
        }
    }
}
