using System.CommandLine;
using ClusterPlatform.Cli.Output;

namespace ClusterPlatform.Cli;

/// <summary>The options every command takes (recursive from the root); new for each run, as a symbol records its parents.</summary>
public sealed class GlobalOptions
{
    public Option<OutputFormat> Output { get; } = new("--output", "-o")
    {
        Description = "Output format: table, json or yaml.",
        HelpName = "table|json|yaml",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
        CustomParser = r => r.Tokens.Count == 1 && Enum.TryParse<OutputFormat>(r.Tokens[0].Value, ignoreCase: true, out var f) && !int.TryParse(r.Tokens[0].Value, out _)
            ? f
            : Fail(r),
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "On errors, also print the request id and trace id (for support and the Api's logs).",
        Recursive = true,
    };

    public Option<string?> Context { get; } = new("--context")
    {
        Description = "Use this context instead of the current one.",
        Recursive = true,
    };

    private static OutputFormat Fail(System.CommandLine.Parsing.ArgumentResult result)
    {
        result.AddError("--output must be table, json or yaml.");
        return OutputFormat.Table;
    }

    public GlobalOptions() => Output.CompletionSources.Add("table", "json", "yaml");
}
