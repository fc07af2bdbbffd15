using System.Collections.Concurrent;

namespace ClusterPlatform.Controllers.Api;

/// <summary>Bearer tokens the controllers present to the Api: subject = controller name, role = controller.</summary>
public interface IControllerTokens
{
    ValueTask<string?> TokenForAsync(string controller, CancellationToken cancellationToken);
}

/// <summary>Settings of the controllers' Api credentials (section <c>ControllerAuth</c>).</summary>
public sealed class ControllerAuthOptions
{
    public const string Section = "ControllerAuth";

    /// <summary>
    /// Base64 key that the Api of a local run also trusts (the AppHost makes one per run and gives it
    /// to both), to mint development tokens. Never set in production, where tokens come from Google.
    /// </summary>
    public string? DevelopmentSigningKey { get; set; }

    /// <summary>
    /// The audience of the Google ID tokens the Api accepts (its <c>Authentication:Google:Audience</c>).
    /// Set, and without a development key, the controllers fetch their ID token from the GKE
    /// metadata server (workload identity).
    /// </summary>
    public string? Audience { get; set; }

    /// <summary>
    /// The metadata server's host (and port). Google's libraries honour <c>GCE_METADATA_HOST</c> for
    /// the same purpose, so that variable is the default; tests point it at a local server.
    /// </summary>
    public string MetadataServerHost { get; set; } = Environment.GetEnvironmentVariable("GCE_METADATA_HOST") is { Length: > 0 } host ? host : "metadata.google.internal";
}

/// <summary>
/// Development tokens signed with the key the AppHost shares with the Api for this run, cached per
/// controller and renewed well before they expire.
/// </summary>
internal sealed class DevelopmentControllerTokens(byte[] key, TimeProvider time) : IControllerTokens
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset Renew)> cache = new();

    public ValueTask<string?> TokenForAsync(string controller, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (cache.TryGetValue(controller, out var cached) && cached.Renew > now)
        {
            return ValueTask.FromResult<string?>(cached.Token);
        }

        var token = DevelopmentTokens.Create(key, controller, null, ["controller"], now.UtcDateTime + Lifetime, DevelopmentTokens.LocalRunIssuer);
        cache[controller] = (token, now + (Lifetime / 2));
        return ValueTask.FromResult<string?>(token);
    }
}

/// <summary>No credentials configured: calls go without a token and the Api answers 401, which the logs show.</summary>
internal sealed class NoControllerTokens : IControllerTokens
{
    public ValueTask<string?> TokenForAsync(string controller, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);
}
