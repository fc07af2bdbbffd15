namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>The token the tests pass to what they await; GlobalUsings.cs imports it into every file.</summary>
public static class TestCancellation
{
    /// <summary>The running test's token, which xunit cancels when the run is cancelled, so a hung call ends with its test.</summary>
    public static CancellationToken Cancellation => TestContext.Current.CancellationToken;
}
