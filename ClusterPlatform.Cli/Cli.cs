using System.CommandLine;
using ClusterPlatform.Cli.Commands;

namespace ClusterPlatform.Cli;

/// <summary>
/// cpctl's entry point, in-process: the process's Main and the tests call the same method with their
/// own streams and environment.
/// </summary>
public static class Cli
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CliEnvironment environment, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        var global = new GlobalOptions();
        var runner = new CommandRunner(global, output, error, environment);
        var root = new RootCommand("cpctl: create, watch and manage hosted OpenShift clusters on ClusterPlatform.")
        {
            global.Output,
            global.Verbose,
            global.Context,
            LoginCommands.Login(runner),
            LoginCommands.Config(runner),
            ClusterCommands.Create(runner),
            NodePoolCommands.Create(runner),
            ClusterCommands.Versions(runner),
        };

        var parse = root.Parse(args);
        var result = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, cancellationToken);
        await output.FlushAsync(cancellationToken);
        return result;
    }
}
