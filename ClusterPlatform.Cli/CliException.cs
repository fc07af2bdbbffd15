namespace ClusterPlatform.Cli;

/// <summary>A refusal cpctl itself makes (bad arguments, no login, an ambiguous name): printed, exit code 1.</summary>
public sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>cpctl's exit codes; <c>wait</c> documents 0, 1 and 2 for CI jobs (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Timeout = 2;
}
