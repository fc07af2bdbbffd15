namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>Waiting for a condition instead of sleeping for a guess.</summary>
public static class Wait
{
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan patience, string what)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Waited {patience.TotalSeconds:0} s for {what}.");
            }

            await Task.Delay(25);
        }
    }
}
