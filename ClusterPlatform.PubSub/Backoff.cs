namespace ClusterPlatform.PubSub;

/// <summary>
/// Exponential backoff, the one rule for how long the platform waits after failures in a row: the
/// delay after the nth is <c>initial</c>·2^(n-1), capped at <c>maximum</c>, times a random factor
/// between <paramref name="minFactor"/> and <paramref name="maxFactor"/> so that many clients that
/// failed together do not retry together. Public for the Api's outbox relay and the controllers,
/// which retry their own dependencies the same way.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan maximum, double minFactor = 0.5, double maxFactor = 1.0)
{
    private int failures;

    /// <summary>100 ms doubling to 5 s: fast enough to hide a blip, slow enough not to hammer a server that is down.</summary>
    public static Backoff Default() => new(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));

    /// <summary>The wait after <paramref name="inARow"/> failures in a row (1 for the first).</summary>
    public TimeSpan DelayAfter(int inARow)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inARow, 1);
        // In doubles, so a long run of failures reaches the cap instead of overflowing.
        var step = TimeSpan.FromTicks((long)Math.Min(initial.Ticks * Math.Pow(2, inARow - 1), maximum.Ticks));
        return step * (minFactor + (Random.Shared.NextDouble() * (maxFactor - minFactor)));
    }

    /// <summary>The wait after one more failure, counted since the last <see cref="Reset"/>.</summary>
    public TimeSpan Next() => DelayAfter(++failures);

    /// <summary>A success: the next failure waits the initial delay again.</summary>
    public void Reset() => failures = 0;
}
