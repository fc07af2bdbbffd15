namespace ClusterPlatform.Cli;

/// <summary>
/// What cpctl takes from its process, made explicit so tests run it in-process: where the config lives,
/// whether a person is at a terminal (live progress, confirmations), where answers come from, and an
/// optional innermost HTTP handler.
/// </summary>
public sealed record CliEnvironment(string ConfigPath, bool IsTerminal, TextReader Input, HttpMessageHandler? Handler = null)
{
    /// <summary>Overrides the config file's path (tests, CI jobs with several identities).</summary>
    public const string ConfigVariable = "CPCTL_CONFIG";

    /// <summary>How often <c>wait</c> polls; conditional GETs (If-None-Match) keep each poll cheap.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The clock of timed waits (the device login's polling); tests give a fake one.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public static CliEnvironment FromProcess() => new(
        DefaultConfigPath(Environment.GetEnvironmentVariable),
        !Console.IsOutputRedirected && !Console.IsInputRedirected,
        Console.In);

    /// <summary>$CPCTL_CONFIG, else $XDG_CONFIG_HOME/cpctl/config.json, else ~/.config/cpctl/config.json (the XDG default).</summary>
    public static string DefaultConfigPath(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (variable(ConfigVariable) is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var configHome = variable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(configHome, "cpctl", "config.json");
    }
}
