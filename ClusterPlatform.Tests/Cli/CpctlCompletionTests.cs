namespace ClusterPlatform.Tests.Cli;

/// <summary>Shell completion through System.CommandLine's <c>[suggest]</c> directive (docs/cli.md "Shell completion").</summary>
public sealed class CpctlCompletionTests : IDisposable
{
    private readonly CpctlRunner cpctl = new();

    [Fact]
    public async Task Suggest_lists_the_subcommands_and_an_options_values()
    {
        var commands = await cpctl.RunAsync("[suggest:14]", "cpctl cluster ");
        Assert.Equal(0, commands.Exit);
        Assert.Superset(new HashSet<string> { "create", "wait", "kubeconfig", "revoke-credentials", "history" }, commands.Out.Split('\n').ToHashSet());

        var groups = await cpctl.RunAsync("[suggest:40]", "cpctl cluster create x --channel-group ");
        Assert.Equal(["candidate", "fast", "stable"], groups.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
    }

    public void Dispose() => cpctl.Dispose();
}
