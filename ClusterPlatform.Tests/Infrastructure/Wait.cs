namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>Waiting for a condition instead of sleeping for a guess.</summary>
public static class Wait
{
    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan patience, string what) =>
        UntilAsync(condition, patience, () => what);

    /// <param name="describe">
    /// Called only on timeout, so the failure can say what was last seen (the state the condition
    /// observed), not what was known before the wait began.
    /// </param>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan patience, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {patience.TotalSeconds:0} s for {describe()}.");
            }

            await Task.Delay(25);
        }
    }
}
