using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using ClusterPlatform.AppHost;
using Npgsql;

[assembly: AssemblyFixture(typeof(PostgresServer))]

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL for the whole test run, started from the local binaries the way the
/// AppHost starts them. Tests isolate themselves with <see cref="CreateDatabaseAsync"/>. A test that
/// stops the database makes a server of its own (<see cref="StopAsync"/>).
/// </summary>
public sealed partial class PostgresServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    // Durability is worthless for data deleted at the end of the run; these make DDL-heavy tests fast.
    // Every class has its own Api and pool on this one server, and a status test sends 200 reports at
    // once: at 200 connections a clean CI run got "too many clients" (now a 503) under parallel load.
    private static readonly string[] Settings =
        ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=500"];

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-tests-{Guid.NewGuid():N}");
    private readonly ProcessOutputTail output = new();
    // Chosen once, so a server started again after StopAsync is where its clients' connection strings point.
    private readonly int port = LoopbackPorts.Free();
    private string binDirectory = "";
    private Process? server;

    /// <summary>Superuser connection to the <c>postgres</c> database.</summary>
    public string AdminConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        binDirectory = LocalPostgres.FindBinDirectory()
            ?? throw new InvalidOperationException($"The tests need a local PostgreSQL server and found none. {LocalPostgres.InstallHint}");
        LocalPostgres.EnsureInitialized(binDirectory, dataDirectory);
        AdminConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
        }.ConnectionString;
        await StartAsync();
    }

    /// <summary>
    /// Starts the server, or starts it again after <see cref="StopAsync"/> on the same port and data,
    /// and waits until it accepts connections.
    /// </summary>
    public async Task StartAsync()
    {
        if (server is { HasExited: false })
        {
            return;
        }

        server?.Dispose();
        var command = LocalPostgres.ServerCommand(binDirectory, dataDirectory, port, settings: Settings);
        server = output.Start(command.FileName, command.Arguments);
        await WaitUntilAcceptingConnectionsAsync();
    }

    /// <summary>
    /// Stops the server and waits until it is gone; what was committed stays for <see cref="StartAsync"/>.
    /// Only for a server a test class started for itself: the run's shared one serves every other class.
    /// </summary>
    public async Task StopAsync()
    {
        if (server is not { HasExited: false })
        {
            return;
        }

        // SIGINT is PostgreSQL's fast shutdown: it ends the sessions that tests' connection pools
        // still hold, where SIGTERM (smart shutdown) would wait for them to disconnect.
        _ = SendSignal(server.Id, SigInt);
        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    /// <summary>Creates an empty database with a unique name starting with <paramref name="prefix"/>.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        // An identifier holds at most 63 bytes: up to 30 of the prefix, '_' and 32 of the Guid.
        var cleanPrefix = NotIdentifierCharacters().Replace(prefix.ToLowerInvariant(), "_");
        var name = $"{cleanPrefix[..Math.Min(cleanPrefix.Length, 30)]}_{Guid.NewGuid():N}";

        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        server?.Dispose();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private async Task WaitUntilAcceptingConnectionsAsync()
    {
        var probe = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (server!.HasExited)
            {
                throw new InvalidOperationException($"PostgreSQL exited with {server.ExitCode} while starting:{Environment.NewLine}{output}");
            }

            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"PostgreSQL did not accept connections within {StartTimeout}:{Environment.NewLine}{output}", ex);
            }
        }
    }

    private const int SigInt = 2;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex NotIdentifierCharacters();
}
