namespace ClusterPlatform.Api.Http;

/// <summary>The <c>Http</c> section: timeouts, CORS and rate limits of the Api's edge.</summary>
internal sealed class HttpOptions
{
    public const string Section = "Http";

    public TimeoutOptions Timeouts { get; set; } = new();

    public CorsOptions Cors { get; set; } = new();

    public RateLimitOptions RateLimits { get; set; } = new();
}

internal sealed class TimeoutOptions
{
    /// <summary>How long any request may run before it is cancelled and answered 504.</summary>
    public TimeSpan Default { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Per endpoint group (<see cref="EndpointGroups"/>), overriding <see cref="Default"/>.</summary>
    public Dictionary<string, TimeSpan> Groups { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

internal sealed class CorsOptions
{
    /// <summary>
    /// Origins allowed to call the Api from a browser. None by default; in Development any
    /// http://localhost origin is allowed as well.
    /// </summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

/// <summary>Token buckets per identity (the token's subject, else the client address), one for reads and a stricter one for writes.</summary>
internal sealed class RateLimitOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>Sustained GET/HEAD requests per second per identity.</summary>
    public int ReadsPerSecond { get; set; } = 200;

    /// <summary>How many reads may arrive at once above the sustained rate.</summary>
    public int ReadBurst { get; set; } = 400;

    /// <summary>Sustained POST/PUT/PATCH/DELETE requests per second per identity.</summary>
    public int WritesPerSecond { get; set; } = 50;

    public int WriteBurst { get; set; } = 100;
}

/// <summary>The endpoint groups whose timeouts can be configured, as <c>Http:Timeouts:Groups:&lt;name&gt;</c>.</summary>
internal static class EndpointGroups
{
    public const string Clusters = "clusters";
    public const string NodePools = "nodepools";
    public const string Fleet = "fleet";

    public static readonly IReadOnlyList<string> All = [Clusters, NodePools, Fleet];
}
