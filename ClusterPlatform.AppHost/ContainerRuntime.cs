using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace ClusterPlatform.AppHost;

/// <summary>
/// Whether a container runtime answers. Aspire waits forever for a daemon that is installed but not
/// running, so the AppHost asks first and fails fast instead.
/// </summary>
internal static class ContainerRuntime
{
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    /// <summary>The runtime Aspire will use: ASPIRE_CONTAINER_RUNTIME, else docker.</summary>
    public static string Name(IConfiguration configuration) =>
        configuration["ASPIRE_CONTAINER_RUNTIME"] is { Length: > 0 } name ? name : "docker";

    public static bool Answers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            // Drained so a chatty `info` cannot block on a full pipe before it exits.
            _ = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (process.WaitForExit(AnswerTimeout))
            {
                return process.ExitCode == 0;
            }

            process.Kill(entireProcessTree: true);
            return false;
        }
        catch (Win32Exception)
        {
            return false; // not installed
        }
    }
}
