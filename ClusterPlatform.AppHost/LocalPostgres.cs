using System.Diagnostics;
using System.Runtime.Versioning;

namespace ClusterPlatform.AppHost;

/// <summary>
/// Runs the locally installed PostgreSQL without a container runtime. The AppHost and the tests
/// share it so both start the server the same way.
/// </summary>
public static class LocalPostgres
{
    /// <summary>What to tell a developer whose machine lacks the binaries.</summary>
    public const string InstallHint =
        "Install PostgreSQL (Debian/Ubuntu: `apt-get install postgresql`); its server binaries are looked for in " +
        "/usr/lib/postgresql/<version>/bin, then `pg_config --bindir`, then PATH.";

    // PostgreSQL refuses to run as root, so a root process runs it as this account.
    private const string ServiceAccount = "postgres";

    [UnsupportedOSPlatformGuard("windows")]
    private static bool RunsAsRoot => !OperatingSystem.IsWindows() && Environment.IsPrivilegedProcess;

    /// <summary>A program to start and its arguments.</summary>
    public sealed record Command(string FileName, IReadOnlyList<string> Arguments);

    /// <summary>
    /// The directory holding <c>postgres</c> and <c>initdb</c>: <paramref name="configured"/> when given,
    /// otherwise the newest /usr/lib/postgresql/*/bin, then <c>pg_config --bindir</c>, then PATH.
    /// Null when none has the binaries.
    /// </summary>
    public static string? FindBinDirectory(string? configured = null)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasServer(configured) ? configured : null;
        }

        var debianLayout = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: double.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Dir)
            : [];

        return debianLayout
            .Append(PgConfigBinDirectory())
            .Append(Path.GetDirectoryName(FindOnPath("postgres")))
            .FirstOrDefault(d => d is not null && HasServer(d));
    }

    /// <summary>
    /// Creates the cluster in <paramref name="dataDirectory"/> unless it already holds one, so a
    /// persistent data directory keeps its databases across runs.
    /// </summary>
    public static void EnsureInitialized(string binDirectory, string dataDirectory)
    {
        dataDirectory = Path.GetFullPath(dataDirectory);
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            return;
        }

        Directory.CreateDirectory(dataDirectory);
        if (RunsAsRoot)
        {
            MakeTraversable(Path.GetDirectoryName(dataDirectory));
            Run(new Command("chown", ["-R", $"{ServiceAccount}:{ServiceAccount}", dataDirectory]));
        }

        // --no-sync: a crash during the first second of a dev database's life costs nothing.
        // --no-locale: the C locale exists everywhere, whatever LANG says.
        Run(AsServiceAccount(Path.Combine(binDirectory, "initdb"),
            ["-D", dataDirectory, "-A", "trust", "-U", "postgres", "--no-sync", "--no-locale", "-E", "UTF8"]));
    }

    /// <summary>
    /// The command that runs the server in the foreground on 127.0.0.1:<paramref name="port"/>.
    /// <paramref name="socketDirectory"/> empty means no Unix socket, so parallel servers never
    /// share a lock file. <paramref name="settings"/> are <c>name=value</c> pairs passed with <c>-c</c>.
    /// When root, it is run through setpriv, which execs in place so a SIGTERM reaches postgres itself.
    /// </summary>
    public static Command ServerCommand(
        string binDirectory, string dataDirectory, int port, string socketDirectory = "", IEnumerable<string>? settings = null)
    {
        string[] arguments =
        [
            "-D", Path.GetFullPath(dataDirectory),
            "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "-k", socketDirectory,
            "-c", "listen_addresses=127.0.0.1",
            .. (settings ?? []).SelectMany(s => new[] { "-c", s }),
        ];
        return AsServiceAccount(Path.Combine(binDirectory, "postgres"), arguments);
    }

    /// <summary>
    /// <paramref name="server"/> (a <see cref="ServerCommand"/>) run so that stopping it is PostgreSQL's
    /// fast shutdown. An orchestrator stops a process with SIGTERM, which PostgreSQL takes as smart
    /// shutdown: it waits for every session to end, and pooled connections sit idle for minutes.
    /// SIGINT is fast shutdown: it ends the sessions, checkpoints and exits in about a second
    /// (https://www.postgresql.org/docs/current/server-shutdown.html). So a shell starts the server
    /// as its child and turns the SIGTERM (or SIGINT) it receives into SIGINT for the server; and the
    /// server gets SIGINT too if the shell itself is killed (the parent-death signal, which setpriv
    /// sets just before it execs the server; prctl(2) PR_SET_PDEATHSIG), so no orphan keeps the port
    /// and the data directory. Unchanged where there is no bash (Windows).
    /// </summary>
    public static Command WithFastShutdownOnTerm(Command server)
    {
        var bash = FindOnPath("bash");
        if (bash is null)
        {
            return server;
        }

        var setpriv = FindOnPath("setpriv");
        var command = setpriv is null ? server
            : server.FileName == setpriv ? server with { Arguments = [ParentDeathSignal, .. server.Arguments] }
            : new Command(setpriv, [ParentDeathSignal, "--", server.FileName, .. server.Arguments]);
        return new Command(bash, ["-c", FastShutdownScript, "postgres-fast-stop", command.FileName, .. command.Arguments]);
    }

    private const string ParentDeathSignal = "--pdeathsig=INT";

    // The server is a background job, so the shell's trap runs while it waits. A wait the trap
    // interrupts returns early; the loop waits again until the server has really exited, and exits
    // with the server's status. (A non-interactive shell starts background jobs with SIGINT ignored,
    // but postgres installs its own handler for it at every start.)
    private const string FastShutdownScript = """
        trap 'kill -INT "$server" 2>/dev/null' TERM INT
        "$@" &
        server=$!
        while :; do
          wait "$server"; status=$?
          kill -0 "$server" 2>/dev/null || exit "$status"
        done
        """;

    private static Command AsServiceAccount(string fileName, IReadOnlyList<string> arguments) =>
        RunsAsRoot
            ? new Command(FindOnPath("setpriv") ?? "setpriv",
                [$"--reuid={ServiceAccount}", $"--regid={ServiceAccount}", "--init-groups", "--", fileName, .. arguments])
            : new Command(fileName, arguments);

    // The service account must be able to reach the data directory through every parent
    // (a checkout under /root, for example, is closed to others by default). Only search
    // permission is added, never read.
    [UnsupportedOSPlatform("windows")]
    private static void MakeTraversable(string? directory)
    {
        for (var dir = directory is null ? null : new DirectoryInfo(directory); dir is not null; dir = dir.Parent)
        {
            if (!dir.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                dir.UnixFileMode |= UnixFileMode.OtherExecute;
            }
        }
    }

    private static bool HasServer(string directory) =>
        File.Exists(Path.Combine(directory, "postgres")) && File.Exists(Path.Combine(directory, "initdb"));

    private static string? PgConfigBinDirectory()
    {
        var pgConfig = FindOnPath("pg_config");
        if (pgConfig is null)
        {
            return null;
        }

        var (exitCode, output) = TryRun(new Command(pgConfig, ["--bindir"]));
        return exitCode == 0 ? output.Trim() : null;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, program))
            .FirstOrDefault(File.Exists);

    private static void Run(Command command)
    {
        var (exitCode, output) = TryRun(command);
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"`{command.FileName} {string.Join(' ', command.Arguments)}` exited with {exitCode}:{Environment.NewLine}{output}");
        }
    }

    private static (int ExitCode, string Output) TryRun(Command command)
    {
        var startInfo = new ProcessStartInfo(command.FileName, command.Arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(startInfo)!;
        // Both streams are read concurrently so neither can fill its pipe and block the child.
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
