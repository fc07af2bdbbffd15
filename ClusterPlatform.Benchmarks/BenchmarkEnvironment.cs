using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using ClusterPlatform.AppHost;
using ClusterPlatform.PubSub;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>What a process wrote to its console: lines, bytes, and log entries at Information and at Warning or above.</summary>
internal sealed record ConsoleOutput(long Lines, long Bytes, long Information, long Warnings)
{
    public ConsoleOutput Since(ConsoleOutput earlier) =>
        new(Lines - earlier.Lines, Bytes - earlier.Bytes, Information - earlier.Information, Warnings - earlier.Warnings);
}

/// <summary>
/// What a benchmark runs against, started the way the AppHost and the tests start it: a local
/// PostgreSQL (fsync on: figures that claim durability must pay for it), Google's Pub/Sub emulator,
/// and the Api as its own process built in this configuration.
/// </summary>
internal sealed class BenchmarkEnvironment : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>
    /// The Api's <c>Reconcile:NotReadyAfter</c> in every run (Program.cs), pushed out so the scheduler causes
    /// no events; pgbench's and the floor's creates pass the same value.
    /// </summary>
    public const string NotReadyAfter = "01:00:00";

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-bench-{Guid.NewGuid():N}");
    private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);

    // The key the Controllers mint their tokens with, as the AppHost arranges it for a local run.
    private readonly byte[] controllerKey = RandomNumberGenerator.GetBytes(32);
    private readonly List<Process> processes = [];

    // Lines, bytes, and log entries at Information and at Warning or above (the console's simple
    // format starts each entry with its level) each child wrote, keyed by pid: the soak reports log volume.
    private readonly ConcurrentDictionary<int, long[]> output = new();

    // Whoever reads a child's lines as they come, keyed by pid: the burst counts API calls from the logs.
    private readonly ConcurrentDictionary<int, Action<string>> watchers = new();

    public string ConnectionString { get; private set; } = "";
    public string EmulatorHost { get; private set; } = "";
    public string ProjectId { get; } = "clusterplatform-bench";
    public Uri ApiAddress { get; private set; } = null!;
    public string PostgresBinDirectory { get; private set; } = "";
    public Process Api { get; private set; } = null!;

    /// <summary>The emulator's launcher script; the Java process doing the work is its child.</summary>
    public Process Emulator { get; private set; } = null!;

    /// <summary>The Controllers process once <see cref="StartControllersAsync"/> has run.</summary>
    public Process? Controllers { get; private set; }

    public static async Task<BenchmarkEnvironment> StartAsync(IReadOnlyDictionary<string, string> apiSettings)
    {
        var environment = new BenchmarkEnvironment();
        try
        {
            await environment.StartPostgresAsync();
            await environment.StartEmulatorAsync();
            await environment.StartApiAsync(apiSettings);
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    public HttpClient Client(string organization, string role = "user") => Client("benchmark", organization, role);

    /// <summary>A client with a controller's token: it reads across organizations and reports status under its own name.</summary>
    public HttpClient ControllerClient(string controller) => Client(controller, null, "controller");

    private HttpClient Client(string subject, string? organization, string role)
    {
        var client = new HttpClient { BaseAddress = ApiAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(subject, organization, role));
        return client;
    }

    /// <summary>The bearer token <see cref="Client(string, string)"/> sends, for a load generator that is not an HttpClient.</summary>
    public string Token(string organization, string role = "user") => Token("benchmark", organization, role);

    /// <summary>The bearer token <see cref="ControllerClient"/> sends.</summary>
    public string ControllerToken(string controller) => Token(controller, null, "controller");

    private string Token(string subject, string? organization, string role) =>
        DevelopmentTokens.Create(signingKey, subject, organization, [role], DateTime.UtcNow.AddHours(4));

    public PubSubConnection PubSub() => new(new PubSubOptions { ProjectId = ProjectId, EmulatorHost = EmulatorHost });

    private async Task StartPostgresAsync()
    {
        var bin = LocalPostgres.FindBinDirectory() ?? throw new InvalidOperationException(LocalPostgres.InstallHint);
        PostgresBinDirectory = bin;
        var port = LoopbackPorts.Free();
        LocalPostgres.EnsureInitialized(bin, dataDirectory);
        Start(LocalPostgres.ServerCommand(bin, dataDirectory, port, settings: ["max_connections=300", "shared_buffers=512MB"]));
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=clusterdb;Maximum Pool Size=100";
        var admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await UntilAsync("PostgreSQL", async () =>
        {
            await using var connection = new NpgsqlConnection(admin);
            await connection.OpenAsync();
            return true;
        });
    }

    private async Task StartEmulatorAsync()
    {
        var port = LoopbackPorts.Free();
        Emulator = Start(LocalPubSubEmulator.Command(port));
        EmulatorHost = $"127.0.0.1:{port}";
        using var http = new HttpClient();
        await UntilAsync("the Pub/Sub emulator", async () => (await http.GetAsync(new Uri($"http://{EmulatorHost}/"))).IsSuccessStatusCode);
    }

    private async Task StartApiAsync(IReadOnlyDictionary<string, string> settings)
    {
        ApiAddress = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
        var controllerTrust = new Dictionary<string, string?>
        {
            ["Authentication:Schemes:Bearer:ValidIssuers:0"] = DevelopmentTokens.Issuer,
            ["Authentication:Schemes:Bearer:ValidIssuers:1"] = DevelopmentTokens.LocalRunIssuer,
            ["Authentication:Schemes:Bearer:SigningKeys:1:Issuer"] = DevelopmentTokens.LocalRunIssuer,
            ["Authentication:Schemes:Bearer:SigningKeys:1:Value"] = Convert.ToBase64String(controllerKey),
            ["ConnectionStrings:clusterdb"] = ConnectionString,
            // The benchmark measures the Api's own throughput from a few identities, which the
            // per-identity limits exist to stop.
            ["Http:RateLimits:Enabled"] = "false",
        };
        Api = await StartServiceAsync("ClusterPlatform.Api", ApiAddress,
            DevelopmentTokens.ApiSettings(signingKey).Concat(controllerTrust).Concat(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))));
    }

    /// <summary>
    /// Starts the Controllers process (simulated providers, no latency) against this environment's
    /// Api, with <paramref name="settings"/> on top.
    /// </summary>
    public async Task StartControllersAsync(IReadOnlyDictionary<string, string>? settings = null) =>
        Controllers = await StartServiceAsync("ClusterPlatform.Controllers", new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}"), new Dictionary<string, string?>
        {
            ["services:api:http:0"] = ApiAddress.ToString(),
            ["ControllerAuth:DevelopmentSigningKey"] = Convert.ToBase64String(controllerKey),
        }.Concat((settings ?? new Dictionary<string, string>()).Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))));

    /// <summary>
    /// What a child process has written to stdout and stderr so far: lines, bytes (UTF-8), and log
    /// entries at Information and at Warning or above.
    /// </summary>
    public ConsoleOutput OutputOf(Process process) =>
        output.TryGetValue(process.Id, out var counts)
            ? new ConsoleOutput(Interlocked.Read(ref counts[0]), Interlocked.Read(ref counts[1]), Interlocked.Read(ref counts[2]), Interlocked.Read(ref counts[3]))
            : new ConsoleOutput(0, 0, 0, 0);

    /// <summary>
    /// Hands every line <paramref name="process"/> writes from now on to <paramref name="line"/>, on the
    /// process's reader threads (concurrently for stdout and stderr); null stops it.
    /// </summary>
    public void Watch(Process process, Action<string>? line)
    {
        if (line is null)
        {
            watchers.TryRemove(process.Id, out _);
        }
        else
        {
            watchers[process.Id] = line;
        }
    }

    /// <summary>Runs one of the solution's services from its build output, configured like the AppHost does, and waits for /health.</summary>
    private async Task<Process> StartServiceAsync(string project, Uri address, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var dll = Path.Combine(RepositoryRoot(), project, "bin", BuildConfiguration, "net10.0", $"{project}.dll");
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development"; // the only environment that takes these tokens
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["PUBSUB_EMULATOR_HOST"] = EmulatorHost;
        start.Environment["PUBSUB_PROJECT_ID"] = ProjectId;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // Development is for the local tokens only: traces are sampled as in production
        // (TraceSampling.DefaultRatio in ServiceDefaults), not all recorded as Development's default does.
        start.Environment["Telemetry__SamplingRatio"] = "0.1";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Start(start);
        using var http = new HttpClient { BaseAddress = address };
        await UntilAsync(project, async () => (await http.GetAsync(new Uri("/health", UriKind.Relative))).IsSuccessStatusCode);
        return process;
    }

    private Process Start(LocalPostgres.Command command) =>
        Start(new ProcessStartInfo(command.FileName, command.Arguments));

    private Process Start(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        var counts = output.GetOrAdd(process.Id, _ => new long[4]);
        var pid = process.Id;
        // Drained so a chatty child never blocks on a full pipe; shown with BENCH_VERBOSE=1 to debug a run.
        var verbose = Environment.GetEnvironmentVariable("BENCH_VERBOSE") is not null;
        DataReceivedEventHandler echo = (_, e) =>
        {
            if (e.Data is not null)
            {
                Interlocked.Increment(ref counts[0]);
                Interlocked.Add(ref counts[1], System.Text.Encoding.UTF8.GetByteCount(e.Data) + 1);
                if (e.Data.StartsWith("info: ", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref counts[2]);
                }
                else if (e.Data.StartsWith("warn: ", StringComparison.Ordinal) || e.Data.StartsWith("fail: ", StringComparison.Ordinal) || e.Data.StartsWith("crit: ", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref counts[3]);
                }
                if (watchers.TryGetValue(pid, out var watcher))
                {
                    watcher(e.Data);
                }

                if (verbose)
                {
                    Console.Error.WriteLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += echo;
        process.ErrorDataReceived += echo;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        processes.Add(process);
        return process;
    }

    private static async Task UntilAsync(string what, Func<Task<bool>> ready)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                if (await ready())
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or NpgsqlException or TaskCanceledException)
            {
                // not up yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not start within {StartTimeout.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }

#if DEBUG
    private const string BuildConfiguration = "Debug";
#else
    private const string BuildConfiguration = "Release";
#endif

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClusterPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from the repository (ClusterPlatform.sln not found above it).");
    }

    public async ValueTask DisposeAsync()
    {
        // The Api first (it holds connections), then the emulator, then PostgreSQL (SIGINT: fast shutdown).
        foreach (var process in Enumerable.Reverse(processes))
        {
            if (!process.HasExited)
            {
                if (process == processes[0])
                {
                    Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])?.WaitForExit();
                }
                else
                {
                    process.Kill(entireProcessTree: true);
                }

                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(15)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            process.Dispose();
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
