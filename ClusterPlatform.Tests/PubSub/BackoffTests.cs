using ClusterPlatform.PubSub;

namespace ClusterPlatform.Tests.PubSub;

/// <summary>The one backoff rule: doubling from the initial delay to the cap, with the caller's jitter.</summary>
public sealed class BackoffTests
{
    [Fact]
    public void Without_jitter_the_delay_doubles_from_the_initial_delay_and_stops_at_the_cap()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), minFactor: 1, maxFactor: 1);

        Assert.Equal([1, 2, 4, 8, 16, 30, 30], Enumerable.Range(1, 7).Select(n => backoff.DelayAfter(n).TotalSeconds));
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.DelayAfter(10_000)); // no overflow after a long outage
    }

    [Fact]
    public void The_jitter_keeps_each_delay_between_the_callers_factors_of_its_step()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(30), minFactor: 0.8, maxFactor: 1.2);

        for (var n = 1; n <= 20; n++)
        {
            var step = Math.Min(200 * Math.Pow(2, n - 1), 30_000);
            var delays = Enumerable.Range(0, 50).Select(_ => backoff.DelayAfter(n).TotalMilliseconds).ToList();
            Assert.All(delays, delay => Assert.InRange(delay, step * 0.8, step * 1.2));
            Assert.True(delays.Distinct().Count() > 1, $"the delays after {n} failures are all {delays[0]} ms");
        }
    }

    [Fact]
    public void Next_counts_failures_until_a_reset_starts_again_from_the_initial_delay()
    {
        var backoff = Backoff.Default(); // 100 ms doubling to 5 s, between half and all of each step

        var run = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToList();
        backoff.Reset();
        var afterReset = backoff.Next().TotalMilliseconds;

        double[] steps = [100, 200, 400, 800, 1600, 3200, 5000, 5000];
        Assert.All(run.Zip(steps), pair => Assert.InRange(pair.First, pair.Second / 2, pair.Second));
        Assert.InRange(afterReset, 50, 100);
    }

    [Fact]
    public void There_is_no_zeroth_failure()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Backoff.Default().DelayAfter(0));
    }
}
