using ClusterPlatform.Cli;

namespace ClusterPlatform.Tests.Cli;

/// <summary>
/// cpctl's OIDC device-code login (RFC 8628) against <see cref="FakeDeviceAuthority"/>, a real local HTTP
/// server that enforces the RFC. Time runs on a fake clock: each step advances it one second once the
/// client is idle on its poll delay, so the recorded poll times are exactly what the client chose.
/// </summary>
public sealed class CpctlDeviceLoginTests
{
    private readonly CountingTimeProvider time = new();

    /// <summary>Advances the fake clock a second at a time until <paramref name="login"/> ends (bounded).</summary>
    private async Task DriveAsync(Task login, FakeDeviceAuthority authority)
    {
        // Wait for the first poll delay to exist before moving time, else the advance could come first.
        await WaitUntilAsync(() => login.IsCompleted || time.Created == 1);
        for (var second = 0; second < 3600 && !login.IsCompleted; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            // A fired delay leads to one poll and then the next delay (or the end): wait for that state.
            await WaitUntilAsync(() => login.IsCompleted || (authority.Polls.Count == time.Fired && time.Created == time.Fired + 1));
        }

        Assert.True(login.IsCompleted, "the login never ended");
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        patience.CancelAfter(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, patience.Token);
        }
    }

    private async Task<(DeviceCodeLogin.Token? Token, Exception? Error, string Output)> LoginAsync(FakeDeviceAuthority authority)
    {
        using var http = new HttpClient();
        using var output = new StringWriter();
        var login = new DeviceCodeLogin(http, output, time).LoginAsync(authority.Authority, "cpctl", "openid", Cancellation);
        await DriveAsync(login, authority);
        try
        {
            return (await login, null, output.ToString());
        }
        catch (CliException e)
        {
            return (null, e, output.ToString());
        }
    }

    [Fact]
    public async Task Success_after_authorization_pending_polls_at_the_interval_and_never_prints_the_token()
    {
        await using var authority = await FakeDeviceAuthority.StartAsync(time, ["authorization_pending", "authorization_pending", "ok"]);
        var (token, error, output) = await LoginAsync(authority);

        Assert.Null(error);
        Assert.Equal(FakeDeviceAuthority.AccessToken, token!.AccessToken);
        Assert.Equal([5, 10, 15], authority.Polls.Select(p => p.TotalSeconds));
        Assert.Empty(authority.Violations);
        Assert.Contains("WDJB-MJHT", output, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeDeviceAuthority.AccessToken, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_announced_interval_the_client_waits_the_default_5_s()
    {
        await using var authority = await FakeDeviceAuthority.StartAsync(time, ["authorization_pending", "ok"], interval: null);
        var (token, error, _) = await LoginAsync(authority);

        Assert.Null(error);
        Assert.NotNull(token);
        Assert.Equal([5, 10], authority.Polls.Select(p => p.TotalSeconds)); // RFC 8628 §3.2: default 5
        Assert.Empty(authority.Violations);
    }

    [Fact]
    public async Task Slow_down_raises_the_interval_by_5_s_for_every_later_poll()
    {
        await using var authority = await FakeDeviceAuthority.StartAsync(time, ["authorization_pending", "slow_down", "authorization_pending", "slow_down", "ok"]);
        var (token, error, _) = await LoginAsync(authority);

        Assert.Null(error);
        Assert.NotNull(token);
        // 5, 5 (slow_down: now 10), 10, 10 (slow_down: now 15), 15.
        Assert.Equal([5, 10, 20, 30, 45], authority.Polls.Select(p => p.TotalSeconds));
        Assert.Empty(authority.Violations);
    }

    [Fact]
    public async Task Access_denied_fails_the_login_with_a_clear_error_and_exit_1()
    {
        await using var authority = await FakeDeviceAuthority.StartAsync(time, ["authorization_pending", "access_denied"]);
        using var cpctl = new CpctlRunner { Clock = time };
        // Nothing reaches --server: the login fails before the token is proven.
        var run = cpctl.RunAsync("login", "--server", "http://127.0.0.1:9", "--authority", authority.Authority.ToString());
        await DriveAsync(run, authority);
        var result = await run;

        Assert.Equal(1, result.Exit);
        Assert.Equal("error: Login failed: the request was denied at the authority (access_denied).\n", result.Error);
        Assert.Equal(2, authority.Polls.Count);
        Assert.False(File.Exists(cpctl.ConfigPath)); // nothing saved
    }

    [Fact]
    public async Task Expired_token_fails_the_login_with_a_clear_error()
    {
        // The code lives 12 s: polls at 5 and 10 are pending, the one at 15 finds it expired.
        await using var authority = await FakeDeviceAuthority.StartAsync(time, [], expiresIn: 12);
        var (token, error, _) = await LoginAsync(authority);

        Assert.Null(token);
        Assert.NotNull(error);
        Assert.Contains("expired_token", error.Message, StringComparison.Ordinal);
        Assert.Contains("cpctl login", error.Message, StringComparison.Ordinal);
    }
}
