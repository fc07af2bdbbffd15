using System.Text.RegularExpressions;
using ClusterPlatform.Cli;

namespace ClusterPlatform.Tests.Cli;

/// <summary>
/// Runs cpctl in-process, as a user would from a shell, with its own config file in a fresh directory
/// (so tests never touch ~/.config) and captured output.
/// </summary>
public sealed partial class CpctlRunner : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("cpctl-test-").FullName;

    public string ConfigPath => Path.Combine(directory, "cpctl", "config.json");

    /// <summary>Whether cpctl believes a person is at a terminal (confirmations, live wait display).</summary>
    public bool IsTerminal { get; init; }

    /// <summary>What the "person" types at a confirmation.</summary>
    public string Input { get; init; } = "";

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>What cpctl sends its requests through; null for its own handler.</summary>
    public HttpMessageHandler? Handler { get; init; }

    /// <summary>The clock cpctl's timed waits use (a FakeTimeProvider in the device-login tests).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    public async Task<CpctlResult> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment(ConfigPath, IsTerminal, new StringReader(Input), Handler) { PollInterval = PollInterval, Time = Clock };
        var exit = await ClusterPlatform.Cli.Cli.RunAsync(args, output, error, environment, Cancellation);
        return new CpctlResult(exit, output.ToString(), error.ToString());
    }

    /// <summary>Logs in with a development token, as README's one-step local login does.</summary>
    public Task LoginAsync(ApiServer api, string subject, string organization, string role = "user", string? name = null) =>
        LoginAsync(api.Anonymous().BaseAddress!, TestTokens.Create(subject, organization, role), name);

    /// <summary>Logs in to <paramref name="server"/> with <paramref name="token"/>.</summary>
    public async Task LoginAsync(Uri server, string token, string? name = null)
    {
        var args = new List<string> { "login", "--server", server.ToString(), "--token", token };
        if (name is not null)
        {
            args.AddRange(["--name", name]);
        }

        var result = await RunAsync([.. args]);
        Assert.True(result.Exit == 0, result.ToString());
    }

    /// <summary>
    /// Output with what changes between runs masked: ids and times (tests name their infra ids). Each mask
    /// is as long as what it hides, so the tables' column alignment stays pinned too. A time's fraction counts
    /// as PostgreSQL's six digits: the serializer drops trailing zeros (…01.12345+00:00 for …01.123450), which
    /// would otherwise make one run in ten pin a shorter mask.
    /// </summary>
    public static string Mask(string text) => Time().Replace(Id().Replace(text, m => Placeholder("id", m.Length)),
        m => Placeholder("time", m.Length + (m.Groups[1].Success ? Math.Max(0, MicrosecondFraction - m.Groups[1].Length) : 0)));

    // A dot and six digits.
    private const int MicrosecondFraction = 7;

    private static string Placeholder(string what, int length) => $"<{what}{new string('.', Math.Max(0, length - what.Length - 2))}>";

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Id();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")]
    private static partial Regex Time();
}

public sealed record CpctlResult(int Exit, string Out, string Error)
{
    public override string ToString() => $"exit {Exit}\n--- out\n{Out}\n--- err\n{Error}";
}
