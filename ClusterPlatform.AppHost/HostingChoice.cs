using Microsoft.Extensions.Configuration;

namespace ClusterPlatform.AppHost;

/// <summary>How the AppHost runs a piece of local infrastructure.</summary>
internal enum Hosting { Local, Container }

/// <summary>
/// Chooses between a locally installed program and its container for one dependency, from the
/// dependency's <c>&lt;Section&gt;:Mode</c> setting: <c>Local</c>, <c>Container</c> or <c>Auto</c>
/// (the default: local when installed, else a container when a runtime answers). When neither is
/// possible it says what to install, because Aspire would otherwise wait forever for a container.
/// </summary>
internal static class HostingChoice
{
    private enum Mode { Auto, Local, Container }

    /// <param name="section">The settings section, e.g. <c>Postgres</c>.</param>
    /// <param name="localFound">Whether the local program is installed.</param>
    /// <param name="localMissing">Why it is not, and how to install it (ends with a full stop).</param>
    public static bool TryChoose(IConfiguration configuration, string section, bool localFound, string localMissing,
        out Hosting hosting, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        hosting = Hosting.Local;
        problem = null;
        var setting = configuration[$"{section}:Mode"] ?? nameof(Mode.Auto);
        if (!Enum.TryParse<Mode>(setting, ignoreCase: true, out var mode))
        {
            problem = $"{section}:Mode is '{setting}'; expected {string.Join(", ", Enum.GetNames<Mode>())}.";
            return false;
        }

        if (mode != Mode.Container && localFound)
        {
            return true;
        }

        if (mode == Mode.Local)
        {
            problem = $"{section}:Mode is Local but {localMissing}";
            return false;
        }

        var runtime = ContainerRuntime.Name(configuration);
        if (ContainerRuntime.Answers(runtime))
        {
            hosting = Hosting.Container;
            return true;
        }

        problem = mode == Mode.Container
            ? $"{section}:Mode is Container but the container runtime does not answer (`{runtime} info` failed). Start it, or install the local program and use {section}:Mode=Local."
            : $"Neither a local installation nor a running container runtime (`{runtime} info` failed) is available: {localMissing} " +
              "Or install and start a container runtime (Docker or Podman).";
        return false;
    }
}
