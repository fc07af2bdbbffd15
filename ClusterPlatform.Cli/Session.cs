using System.CommandLine;
using ClusterPlatform.Cli.Config;
using ClusterPlatform.Cli.Output;
using ClusterPlatform.Client;

namespace ClusterPlatform.Cli;

/// <summary>
/// One invocation's shared state: the streams, the environment, the global options' values, and the
/// client for the selected context, built on first use (login and config commands need none).
/// </summary>
public sealed class Session(ParseResult parse, GlobalOptions global, TextWriter output, TextWriter error, CliEnvironment environment)
{
    private PlatformApiClient? client;
    private CpctlContext? context;

    public TextWriter Out => output;

    public TextWriter Error => error;

    public CliEnvironment Environment => environment;

    public ParseResult Parse => parse;

    public Printer Printer => new(output, parse.GetValue(global.Output));

    public OutputFormat Format => parse.GetValue(global.Output);

    public CpctlConfig LoadConfig() => CpctlConfig.Load(environment.ConfigPath);

    public PlatformApiClient Client
    {
        get
        {
            client ??= PlatformApiClientFactory.Create(new Uri(Context.Server), Context.Token, environment.Handler);
            return client;
        }
    }

    /// <summary>
    /// The current context's token subject (<c>sub</c>), read from the token itself without checking it:
    /// the Api checks it, this only names the break-glass certificate the Api will accept for it.
    /// </summary>
    public string TokenSubject
    {
        get
        {
            var parts = Context.Token.Split('.');
            if (parts.Length != 3)
            {
                throw new CliException("The context's token is not a JWT; log in again (`cpctl login`).");
            }

            using var claims = System.Text.Json.JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            return claims.RootElement.TryGetProperty("sub", out var sub) && sub.GetString() is { Length: > 0 } subject
                ? subject
                : throw new CliException("The context's token has no subject; log in again (`cpctl login`).");
        }
    }

    /// <summary>The selected context (<c>--context</c>, else the current one), read from the config file once.</summary>
    private CpctlContext Context => context ??= LoadConfig().Resolve(parse.GetValue(global.Context)).Context;

    public T Value<T>(Option<T> option) => parse.GetValue(option)!;

    public T Value<T>(Argument<T> argument) => parse.GetValue(argument)!;

    /// <summary>Asks on a terminal; elsewhere refuses, so a script never deletes without <c>--yes</c>.</summary>
    public bool Confirm(string question)
    {
        if (!environment.IsTerminal)
        {
            throw new CliException("Refusing without confirmation: not a terminal, pass --yes.");
        }

        output.Write($"{question} [y/N] ");
        output.Flush();
        var answer = environment.Input.ReadLine()?.Trim();
        return string.Equals(answer, "y", StringComparison.OrdinalIgnoreCase) || string.Equals(answer, "yes", StringComparison.OrdinalIgnoreCase);
    }
}
