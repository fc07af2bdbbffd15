using System.CommandLine;
using ClusterPlatform.Client;
using Microsoft.Kiota.Abstractions;

namespace ClusterPlatform.Cli;

/// <summary>
/// Gives each command its action with one error policy: an Api problem prints its title, detail, code
/// and field errors (with --verbose the request and trace ids) and exits 1; cpctl's own refusals print
/// their message with their exit code. Nothing else is caught, so a bug shows its stack trace.
/// </summary>
public sealed class CommandRunner(GlobalOptions global, TextWriter output, TextWriter error, CliEnvironment environment)
{
    public Command Bind(Command command, Func<Session, CancellationToken, Task<int>> action)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = new Session(parse, global, output, error, environment);
            try
            {
                return await action(session, cancellationToken);
            }
            catch (ApiException e) when (ApiProblem.From(e) is { } problem)
            {
                WriteProblem(problem, parse.GetValue(global.Verbose));
                return ExitCodes.Failure;
            }
            catch (CliException e)
            {
                error.WriteLine($"error: {e.Message}");
                return e.ExitCode;
            }
            catch (HttpRequestException e)
            {
                error.WriteLine($"error: cannot reach the Api: {e.Message}");
                return ExitCodes.Failure;
            }
        });
        return command;
    }

    private void WriteProblem(ApiProblem problem, bool verbose)
    {
        error.WriteLine($"error: {problem.Title} ({problem.Status}{(problem.Code is null ? "" : $" {problem.Code}")})");
        if (!string.IsNullOrEmpty(problem.Detail))
        {
            error.WriteLine($"  {problem.Detail}");
        }

        foreach (var (path, messages) in problem.Errors)
        {
            foreach (var message in messages)
            {
                error.WriteLine($"  {path}: {message}");
            }
        }

        if (verbose)
        {
            error.WriteLine($"  request id: {problem.RequestId ?? "-"}, trace id: {problem.TraceId ?? "-"}");
        }
    }
}
