using System.CommandLine;
using ClusterPlatform.Cli.Config;
using ClusterPlatform.Cli.Output;
using ClusterPlatform.Client;

namespace ClusterPlatform.Cli.Commands;

/// <summary><c>cpctl login</c> and <c>cpctl config get-contexts|current-context|use-context</c>.</summary>
public static class LoginCommands
{
    public static Command Login(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var server = new Option<string>("--server") { Description = "The Api's URL, e.g. http://localhost:5080.", Required = true };
        var token = new Option<string?>("--token") { Description = "Use this bearer token (development tokens, CI). Else the OIDC device login of --authority." };
        var authority = new Option<string?>("--authority") { Description = "The OIDC authority for the device login (the Api's Authentication:Users:Authority)." };
        var clientId = new Option<string>("--client-id") { Description = "The OIDC client id registered for cpctl.", DefaultValueFactory = _ => "cpctl" };
        var scope = new Option<string>("--scope") { Description = "The scopes to ask for.", DefaultValueFactory = _ => "openid" };
        var name = new Option<string?>("--name") { Description = "The context's name (default: the server's host and port)." };
        var command = new Command("login", "Log in to an Api and save it as a context (the current one).") { server, token, authority, clientId, scope, name };
        return runner.Bind(command, async (s, ct) =>
        {
            if (!Uri.TryCreate(s.Value(server), UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                throw new CliException("--server must be an http or https URL.");
            }

            var context = new CpctlContext { Server = url.ToString().TrimEnd('/'), Token = "" };
            if (s.Value(token) is { Length: > 0 } given)
            {
                context.Token = given;
            }
            else if (s.Value(authority) is { } authorityText)
            {
                var issuer = Uri.TryCreate(authorityText, UriKind.Absolute, out var a) && a.Scheme == Uri.UriSchemeHttps || (a?.IsLoopback ?? false)
                    ? a!
                    : throw new CliException("--authority must be an https URL (http only on loopback, for local tests).");
                using var http = s.Environment.Handler is { } h ? new HttpClient(h, disposeHandler: false) : new HttpClient();
                var result = await new DeviceCodeLogin(http, s.Out, s.Environment.Time).LoginAsync(issuer, s.Value(clientId), s.Value(scope), ct);
                (context.Token, context.ExpiresAt, context.Authority, context.ClientId) = (result.AccessToken, result.ExpiresAt, issuer.ToString(), s.Value(clientId));
            }
            else
            {
                throw new CliException("Give --token TOKEN (development: see README, \"cpctl\"), or --authority URL for the OIDC device login.");
            }

            // Prove the token before saving it: any reader may list versions.
            await PlatformApiClientFactory.Create(url, context.Token, s.Environment.Handler).Api.V1.Versions.GetAsync(cancellationToken: ct);

            var contextName = s.Value(name) ?? url.Authority;
            var config = s.LoadConfig();
            config.Contexts[contextName] = context;
            config.CurrentContext = contextName;
            config.Save(s.Environment.ConfigPath);
            s.Out.WriteLine($"Logged in to {context.Server} as context \"{contextName}\" ({s.Environment.ConfigPath}).");
            return ExitCodes.Success;
        });
    }

    public static Command Config(CommandRunner runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var config = new Command("config", "The saved contexts (~/.config/cpctl/config.json).");

        var useName = new Argument<string>("name") { Description = "The context to make current." };
        config.Subcommands.Add(runner.Bind(new Command("use-context", "Make a context the current one.") { useName }, (s, _) =>
        {
            var file = s.LoadConfig();
            var (name, _) = file.Resolve(s.Value(useName));
            file.CurrentContext = name;
            file.Save(s.Environment.ConfigPath);
            s.Out.WriteLine($"Switched to context \"{name}\".");
            return Task.FromResult(ExitCodes.Success);
        }));

        config.Subcommands.Add(runner.Bind(new Command("current-context", "Print the current context's name."), (s, _) =>
        {
            s.Out.WriteLine(s.LoadConfig().Resolve(null).Name);
            return Task.FromResult(ExitCodes.Success);
        }));

        config.Subcommands.Add(runner.Bind(new Command("get-contexts", "List the contexts (never their tokens)."), (s, _) =>
        {
            var file = s.LoadConfig();
            if (s.Format == OutputFormat.Table)
            {
                var table = Tables.Contexts();
                foreach (var (name, context) in file.Contexts)
                {
                    table.Add(name == file.CurrentContext ? "*" : "", name, context.Server, context.Authority is null ? "token" : $"oidc {context.Authority}");
                }

                table.WriteTo(s.Out);
            }
            else
            {
                var items = new System.Text.Json.Nodes.JsonArray([.. file.Contexts.Select(c => (System.Text.Json.Nodes.JsonNode)new System.Text.Json.Nodes.JsonObject
                {
                    ["name"] = c.Key, ["server"] = c.Value.Server, ["authority"] = c.Value.Authority, ["current"] = c.Key == file.CurrentContext,
                })]);
                var node = new System.Text.Json.Nodes.JsonObject { ["kind"] = "ContextList", ["items"] = items };
                new Printer(s.Out, s.Format).WriteNode(node);
            }

            return Task.FromResult(ExitCodes.Success);
        }));

        return config;
    }
}
