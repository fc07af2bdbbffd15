namespace ClusterPlatform.WebConsole.Api;

/// <summary><c>Console</c>: where the Api is and how often the pages look again.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}
