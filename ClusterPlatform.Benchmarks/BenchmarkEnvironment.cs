using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using ClusterPlatform.AppHost;
using ClusterPlatform.PubSub;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// What a benchmark runs against, started the way the AppHost and the tests start it: a local
/// PostgreSQL (fsync on: figures that claim durability must pay for it), Google's Pub/Sub emulator,
/// and the Api as its own process built in this configuration.
/// </summary>
internal sealed class BenchmarkEnvironment : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-bench-{Guid.NewGuid():N}");
    private readonly byte[] signingKey = RandomNumberGenerator.GetBytes(32);

    // The key the Controllers mint their tokens with, as the AppHost arranges it for a local run.
    private readonly byte[] controllerKey = RandomNumberGenerator.GetBytes(32);
    private readonly List<Process> processes = [];

    public string ConnectionString { get; private set; } = "";
    public string EmulatorHost { get; private set; } = "";
    public string ProjectId { get; } = "clusterplatform-bench";
    public Uri ApiAddress { get; private set; } = null!;
    public string PostgresBinDirectory { get; private set; } = "";
    public Process Api { get; private set; } = null!;

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
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            DevelopmentTokens.Create(signingKey, subject, organization, [role], DateTime.UtcNow.AddHours(4)));
        return client;
    }

    public PubSubConnection PubSub() => new(new PubSubOptions { ProjectId = ProjectId, EmulatorHost = EmulatorHost });

    private async Task StartPostgresAsync()
    {
        var bin = LocalPostgres.FindBinDirectory() ?? throw new InvalidOperationException(LocalPostgres.InstallHint);
        PostgresBinDirectory = bin;
        var port = LocalPostgres.FreeLoopbackPort();
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
        var port = LocalPostgres.FreeLoopbackPort();
        Start(LocalPubSubEmulator.Command(port));
        EmulatorHost = $"127.0.0.1:{port}";
        using var http = new HttpClient();
        await UntilAsync("the Pub/Sub emulator", async () => (await http.GetAsync(new Uri($"http://{EmulatorHost}/"))).IsSuccessStatusCode);
    }

    private async Task StartApiAsync(IReadOnlyDictionary<string, string> settings)
    {
        ApiAddress = new Uri($"http://127.0.0.1:{LocalPostgres.FreeLoopbackPort()}");
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

    /// <summary>Starts the Controllers process (simulated providers, no latency) against this environment's Api.</summary>
    public async Task StartControllersAsync() =>
        Controllers = await StartServiceAsync("ClusterPlatform.Controllers", new Uri($"http://127.0.0.1:{LocalPostgres.FreeLoopbackPort()}"), new Dictionary<string, string?>
        {
            ["services:api:http:0"] = ApiAddress.ToString(),
            ["ControllerAuth:DevelopmentSigningKey"] = Convert.ToBase64String(controllerKey),
        });

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
        // Drained so a chatty child never blocks on a full pipe; shown with BENCH_VERBOSE=1 to debug a run.
        var verbose = Environment.GetEnvironmentVariable("BENCH_VERBOSE") is not null;
        DataReceivedEventHandler echo = (_, e) =>
        {
            if (verbose && e.Data is not null)
            {
                Console.Error.WriteLine(e.Data);
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
