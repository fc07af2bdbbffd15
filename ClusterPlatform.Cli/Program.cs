namespace ClusterPlatform.Cli;

// A named Program (not top-level statements): the tests reference both the Api and cpctl, and the
// Api's WebApplicationFactory<Program> means the global Program.
internal static class Program
{
    public static Task<int> Main(string[] args) => Cli.RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess());
}
