using System.Diagnostics;
using System.Globalization;

namespace ClusterPlatform.Tests.Resilience;

/// <summary>
/// An idle period longer than the emulator's limit, on a topology of its own. It shares the fault
/// matrix's collection (it runs alone) but not its fixture: after a SIGKILLed Controllers process
/// the emulator keeps that process's streams registered and hands them messages that wait out their
/// ack deadline (docs/pubsub-wire.md), which is the kill's aftermath, not the idle period's.
/// </summary>
[Collection(ResilienceCollection.Name)]
public sealed class IdleResilienceTests(ResilienceFixture topology) : IClassFixture<ResilienceFixture>
{
    /// <summary>
    /// How long the idle case leaves the system alone: longer than the ~100 s after which the emulator
    /// closes an idle connection, unless CI sets less.
    /// </summary>
    public const string IdleSecondsVariable = "CLUSTERPLATFORM_RESILIENCE_IDLE_SECONDS";

    /// <summary>
    /// What the idle period may add to a create's way to Ready. The cliff this guards against (streams
    /// the emulator had closed, found dead only by a later retry) added 10–20 s; a loaded machine adds a
    /// second or two to any create, so the bound is relative to a create just before the idle period,
    /// not an absolute time (speed belongs to the benchmarks: the soak suite measures it).
    /// </summary>
    private static readonly TimeSpan IdleAllowance = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task An_idle_period_longer_than_the_emulators_limit_adds_no_reconnect_wait_to_the_next_create()
    {
        var idle = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable(IdleSecondsVariable), CultureInfo.InvariantCulture, out var seconds) ? seconds : 110);
        await topology.WaitUntilHealthyAsync(Cancellation);
        var client = topology.CreateClient();
        // Warm: every stream is open and has carried an event before the idle period starts.
        var warm = await CreateToReadyAsync(client, "warm");

        // The idle period is the fault itself, not a guess at how long something takes.
        await Task.Delay(idle, Cancellation);

        var took = await CreateToReadyAsync(client, "after-idle");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"create->Ready before the idle period: {warm.TotalSeconds:0.00} s; after {idle.TotalSeconds:0} s idle: {took.TotalSeconds:0.00} s");
        Assert.True(took < warm + IdleAllowance,
            $"After {idle.TotalSeconds:0} s idle, create->Ready took {took.TotalSeconds:0.00} s, against {warm.TotalSeconds:0.00} s before it."
            + $"{Environment.NewLine}{topology.RecentLogs(ResourceNames.Controllers)}{Environment.NewLine}{topology.RecentLogs(ResourceNames.Api)}");
    }

    private static async Task<TimeSpan> CreateToReadyAsync(HttpClient client, string prefix)
    {
        var watch = Stopwatch.StartNew();
        var cluster = await client.CreateClusterAsync(ApiCalls.Unique(prefix));
        JsonReadiness last = new("");
        await Wait.UntilAsync(async () =>
        {
            last = new((await client.GetObjectAsync(cluster["href"].Text()))["status"]!["phase"].Text());
            return last.Phase == "Ready";
        }, ClusterStream.Patience, () => $"{prefix} to be Ready (last phase {last.Phase})");
        return watch.Elapsed;
    }

    private sealed record JsonReadiness(string Phase);
}
