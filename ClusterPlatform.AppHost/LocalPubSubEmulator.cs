namespace ClusterPlatform.AppHost;

/// <summary>
/// Runs Google's Pub/Sub emulator from a local Google Cloud CLI installation, without a container
/// runtime. The AppHost and the tests share it so both start the emulator the same way.
/// </summary>
public static class LocalPubSubEmulator
{
    /// <summary>What to tell a developer whose machine lacks the emulator.</summary>
    public const string InstallHint =
        "Install Google's Pub/Sub emulator and Java 17 or newer (Debian/Ubuntu, from Google Cloud's apt repository: " +
        "`apt-get install google-cloud-cli-pubsub-emulator openjdk-17-jre-headless`; elsewhere: " +
        "`gcloud components install pubsub-emulator`). It is looked for in " + DebianPath +
        ", then under $CLOUDSDK_ROOT_DIR, then beside the `gcloud` found on PATH.";

    // Where Google's Debian package puts it.
    private const string DebianPath = "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator";

    // Inside any Google Cloud CLI installation.
    private static readonly string RelativePath = Path.Combine("platform", "pubsub-emulator", "bin", "cloud-pubsub-emulator");

    /// <summary>
    /// The emulator's start script: <paramref name="configured"/> when given, otherwise the Debian
    /// package's, then the one under $CLOUDSDK_ROOT_DIR, then the one of the SDK that holds the
    /// <c>gcloud</c> on PATH. Null when none exists.
    /// </summary>
    public static string? FindExecutable(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return new[] { DebianPath, InSdk(Environment.GetEnvironmentVariable("CLOUDSDK_ROOT_DIR")), InSdk(GcloudSdkRoot()) }
            .FirstOrDefault(File.Exists);
    }

    /// <summary>
    /// The command that runs the emulator in the foreground on 127.0.0.1:<paramref name="port"/>,
    /// serving gRPC and REST. It keeps its state in memory only. Throws with <see cref="InstallHint"/>
    /// when there is no emulator.
    /// </summary>
    public static LocalPostgres.Command Command(int port, string? executable = null)
    {
        var path = FindExecutable(executable)
            ?? throw new InvalidOperationException($"Google's Pub/Sub emulator was not found. {InstallHint}");
        return new LocalPostgres.Command(path,
            ["--host=127.0.0.1", $"--port={port.ToString(System.Globalization.CultureInfo.InvariantCulture)}"]);
    }

    private static string? InSdk(string? sdkRoot) => string.IsNullOrWhiteSpace(sdkRoot) ? null : Path.Combine(sdkRoot, RelativePath);

    // gcloud on PATH is usually a symbolic link to <sdk>/bin/gcloud.
    private static string? GcloudSdkRoot()
    {
        var gcloud = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "gcloud"))
            .FirstOrDefault(File.Exists);
        if (gcloud is null)
        {
            return null;
        }

        var target = new FileInfo(gcloud).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? gcloud;
        return Path.GetDirectoryName(Path.GetDirectoryName(target));
    }
}
