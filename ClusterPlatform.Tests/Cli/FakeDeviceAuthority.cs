using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace ClusterPlatform.Tests.Cli;

/// <summary>
/// A test-only OIDC authority that serves the device authorization grant over real HTTP and enforces
/// RFC 8628's rules on the client, not ours. The token endpoint answers from a script
/// (<c>authorization_pending</c>, <c>slow_down</c>, <c>access_denied</c>, <c>expired_token</c>, <c>ok</c>)
/// and records each poll's time on the shared fake clock, so tests can check the client's spacing.
/// </summary>
public sealed class FakeDeviceAuthority : IAsyncDisposable
{
    public const string DeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";
    public const string AccessToken = "eyJfake.access.token-never-printed";
    private const string DeviceCode = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS";

    private readonly LocalApiServer server;
    private readonly TimeProvider time;
    private readonly ConcurrentQueue<string> script;
    private readonly ConcurrentQueue<TimeSpan> polls = new();
    private readonly ConcurrentQueue<string> violations = new();
    private readonly DateTimeOffset start;
    private TimeSpan interval;
    private DateTimeOffset? lastPoll;
    private DateTimeOffset issuedAt;

    private FakeDeviceAuthority(LocalApiServer server, TimeProvider time, IEnumerable<string> script, int interval)
    {
        (this.server, this.time, this.script, this.interval) = (server, time, new(script), TimeSpan.FromSeconds(interval));
        start = time.GetUtcNow();
    }

    public Uri Authority => server.BaseAddress;

    /// <summary>When each token request came, relative to the start, on the fake clock.</summary>
    public IReadOnlyList<TimeSpan> Polls => [.. polls];

    /// <summary>RFC 8628 rules the client broke; a correct client leaves this empty.</summary>
    public IReadOnlyList<string> Violations => [.. violations];

    /// <param name="interval">The interval to announce; null leaves it out, so the client must use the default of 5 s (RFC 8628 §3.2).</param>
    public static async Task<FakeDeviceAuthority> StartAsync(FakeTimeProvider time, IEnumerable<string> script, int? interval = 5, int expiresIn = 1800)
    {
        FakeDeviceAuthority? authority = null;
        var server = await LocalApiServer.StartAsync(app =>
        {
            // The client reads the endpoints from OIDC discovery (OpenID Connect Discovery 1.0 §3; RFC 8414 §2 names device_authorization_endpoint).
            app.MapGet("/.well-known/openid-configuration", (HttpContext c) => Results.Json(new Dictionary<string, string>
            {
                ["issuer"] = $"{c.Request.Scheme}://{c.Request.Host}",
                ["device_authorization_endpoint"] = $"{c.Request.Scheme}://{c.Request.Host}/device",
                ["token_endpoint"] = $"{c.Request.Scheme}://{c.Request.Host}/token",
            }));
            app.MapPost("/device", (Func<HttpContext, Task<IResult>>)(c => authority!.DeviceAuthorizationAsync(c, interval, expiresIn)));
            app.MapPost("/token", (Func<HttpContext, Task<IResult>>)(c => authority!.TokenAsync(c, expiresIn)));
        });
        authority = new FakeDeviceAuthority(server, time, script, interval ?? 5);
        return authority;
    }

    // RFC 8628 §3.1: the client POSTs application/x-www-form-urlencoded with client_id (REQUIRED when the
    // client does not authenticate) and optionally scope.
    private async Task<IResult> DeviceAuthorizationAsync(HttpContext context, int? announcedInterval, int expiresIn)
    {
        if (!context.Request.HasFormContentType)
        {
            violations.Enqueue("device authorization request not form-encoded (RFC 8628 §3.1)");
            return Error("invalid_request");
        }

        var form = await context.Request.ReadFormAsync();
        if (string.IsNullOrEmpty(form["client_id"]))
        {
            violations.Enqueue("device authorization request without client_id (RFC 8628 §3.1)");
            return Error("invalid_request");
        }

        issuedAt = time.GetUtcNow();
        lastPoll = issuedAt; // RFC 8628 §3.5: the interval applies from the authorization response on
        // RFC 8628 §3.2: device_code, user_code, verification_uri and expires_in are REQUIRED;
        // verification_uri_complete and interval are OPTIONAL (interval defaults to 5).
        var body = new Dictionary<string, object>
        {
            ["device_code"] = DeviceCode,
            ["user_code"] = "WDJB-MJHT",
            ["verification_uri"] = $"{Authority}activate",
            ["expires_in"] = expiresIn,
        };
        if (announcedInterval is { } i)
        {
            body["interval"] = i;
        }

        return Results.Json(body);
    }

    // RFC 8628 §3.4: grant_type=urn:ietf:params:oauth:grant-type:device_code, device_code and client_id,
    // form-encoded. §3.5: the answers while the user has not finished.
    private async Task<IResult> TokenAsync(HttpContext context, int expiresIn)
    {
        var now = time.GetUtcNow();
        polls.Enqueue(now - start);
        if (!context.Request.HasFormContentType)
        {
            violations.Enqueue("token request not form-encoded (RFC 8628 §3.4)");
            return Error("invalid_request");
        }

        var form = await context.Request.ReadFormAsync();
        if (form["grant_type"] != DeviceGrant)
        {
            violations.Enqueue($"token request with grant_type {form["grant_type"]} (RFC 8628 §3.4)");
            return Error("unsupported_grant_type");
        }

        if (string.IsNullOrEmpty(form["client_id"]) || form["device_code"] != DeviceCode)
        {
            violations.Enqueue("token request without client_id or with another device_code (RFC 8628 §3.4)");
            return Error("invalid_grant");
        }

        // RFC 8628 §3.5: the client must wait at least the interval between requests; slow_down raises it
        // by 5 s "for this and all subsequent requests". A poll that comes early is slowed down again.
        if (lastPoll is { } last && now - last < interval)
        {
            violations.Enqueue($"poll at {now - start} came {now - last} after the previous one; the interval is {interval} (RFC 8628 §3.5)");
            lastPoll = now;
            interval += TimeSpan.FromSeconds(5);
            return Error("slow_down");
        }

        lastPoll = now;
        if (now - issuedAt >= TimeSpan.FromSeconds(expiresIn))
        {
            return Error("expired_token"); // RFC 8628 §3.5: the device_code expired
        }

        var answer = script.TryDequeue(out var next) ? next : "authorization_pending";
        switch (answer)
        {
            case "ok":
                return Results.Json(new Dictionary<string, object> { ["access_token"] = AccessToken, ["token_type"] = "Bearer", ["expires_in"] = 3600 });
            case "slow_down":
                interval += TimeSpan.FromSeconds(5);
                return Error("slow_down");
            default:
                return Error(answer);
        }
    }

    // RFC 8628 §3.5 and RFC 6749 §5.2: errors are 400 with a JSON body carrying "error".
    private static IResult Error(string code) => Results.Json(new Dictionary<string, string> { ["error"] = code }, statusCode: StatusCodes.Status400BadRequest);

    public ValueTask DisposeAsync() => server.DisposeAsync();
}

/// <summary>
/// A fake clock that counts the timers made and fired, so a test knows when the client is idle on its
/// poll delay (made = fired + 1) and may advance time without racing it.
/// </summary>
public sealed class CountingTimeProvider : FakeTimeProvider
{
    private int created;
    private int fired;

    public int Created => Volatile.Read(ref created);

    public int Fired => Volatile.Read(ref fired);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref created);
        return base.CreateTimer(s =>
        {
            Interlocked.Increment(ref fired);
            callback(s);
        }, state, dueTime, period);
    }
}
