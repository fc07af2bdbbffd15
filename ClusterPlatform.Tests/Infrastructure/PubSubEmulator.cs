using System.Diagnostics;
using ClusterPlatform.AppHost;
using ClusterPlatform.PubSub;
using ClusterPlatform.PubSub.V1;
using Grpc.Core;

[assembly: AssemblyFixture(typeof(PubSubEmulator))]

namespace ClusterPlatform.Tests.Infrastructure;

/// <summary>
/// One Google Pub/Sub emulator for the whole test run, started the way the AppHost starts it. The
/// emulator keeps projects apart, so tests isolate themselves with <see cref="Connect"/>, which uses a
/// new project each time. <see cref="StopAsync"/> and <see cref="StartAsync"/> make an outage; a test
/// that uses them must not run in parallel with other Pub/Sub tests (see <see cref="OutageCollection"/>).
/// </summary>
public sealed class PubSubEmulator : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly ProcessOutputTail output = new();
    private readonly int port = LoopbackPorts.Free();
    private Process? emulator;

    /// <summary>The emulator's <c>host:port</c>, as PUBSUB_EMULATOR_HOST takes it.</summary>
    public string HostPort => $"127.0.0.1:{port}";

    public ValueTask InitializeAsync() => new(StartAsync());

    /// <summary>A project id no other test uses: the emulator keeps each project's topics apart.</summary>
    public static string NewProjectId() => $"test-{Guid.NewGuid():N}"[..30];

    /// <summary>A connection to a fresh project of this emulator.</summary>
    public PubSubConnection Connect(string? projectId = null) =>
        new(new PubSubOptions { ProjectId = projectId ?? NewProjectId(), EmulatorHost = HostPort });

    /// <summary>Starts the emulator on <see cref="HostPort"/> and waits until it answers. It starts empty.</summary>
    public async Task StartAsync()
    {
        if (emulator is { HasExited: false })
        {
            return;
        }

        var command = LocalPubSubEmulator.FindExecutable() is null
            ? throw new InvalidOperationException($"The tests need Google's Pub/Sub emulator and found none. {LocalPubSubEmulator.InstallHint}")
            : LocalPubSubEmulator.Command(port);
        emulator?.Dispose();
        emulator = output.Start(command.FileName, command.Arguments);
        await WaitUntilAnsweringAsync();
    }

    /// <summary>Kills the emulator (and its Java child) and waits until it is gone; everything it held is lost.</summary>
    public async Task StopAsync()
    {
        if (emulator is { HasExited: false })
        {
            // The start script runs java as a child: killing only the script would leave the port held.
            emulator.Kill(entireProcessTree: true);
            await emulator.WaitForExitAsync();
        }
    }

    /// <summary>
    /// Freezes the emulator (SIGSTOP to the start script and its Java child) without closing anything:
    /// its connections stay open and calls hang, as on a server starved of CPU, and it keeps its
    /// state. <see cref="ResumeAsync"/> lets it go on where it stopped.
    /// </summary>
    public Task PauseAsync() => SignalAsync("STOP");

    /// <summary>Lets a paused emulator go on (SIGCONT).</summary>
    public Task ResumeAsync() => SignalAsync("CONT");

    private async Task SignalAsync(string signal)
    {
        if (emulator is not { HasExited: false })
        {
            throw new InvalidOperationException("The Pub/Sub emulator is not running.");
        }

        // By id, to this emulator's own processes only: the script and everything it started.
        var ids = ProcessTree(emulator.Id).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, .. ids]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} of the emulator's processes exited with {kill.ExitCode}.");
        }
    }

    // A process and its descendants, from Linux's /proc/<pid>/task/<tid>/children.
    private static List<int> ProcessTree(int root)
    {
        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            var tasks = $"/proc/{tree[i]}/task";
            if (!Directory.Exists(tasks))
            {
                continue;
            }

            foreach (var task in Directory.EnumerateDirectories(tasks))
            {
                var children = Path.Combine(task, "children");
                if (File.Exists(children))
                {
                    tree.AddRange(File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse));
                }
            }
        }

        return tree;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        emulator?.Dispose();
    }

    // A cheap call that needs the emulator fully up: NOT_FOUND for a topic that does not exist.
    private async Task WaitUntilAnsweringAsync()
    {
        using var probe = Connect("probe-project");
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (emulator!.HasExited)
            {
                throw new InvalidOperationException($"The Pub/Sub emulator exited with {emulator.ExitCode} while starting:{Environment.NewLine}{output}");
            }

            try
            {
                await probe.PublisherClient.GetTopicAsync(
                    new GetTopicRequest { Topic = probe.TopicName("probe") }, deadline: DateTime.UtcNow + ProbeTimeout);
                return;
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.NotFound)
            {
                return;
            }
            // A probe past its deadline surfaces as a cancellation (the connection's
            // ThrowOperationCanceledOnCancellation): a slow start on a loaded machine, not a failure.
            catch (Exception ex) when (ex is RpcException or OperationCanceledException && deadline.Elapsed < StartTimeout)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100));
            }
            catch (Exception ex) when (ex is RpcException or OperationCanceledException)
            {
                throw new InvalidOperationException($"The Pub/Sub emulator did not answer within {StartTimeout}:{Environment.NewLine}{output}", ex);
            }
        }
    }
}

/// <summary>
/// Tests that stop and restart the shared emulator. xunit runs a collection without parallelization
/// after all the others, so no other test sees the outage.
/// </summary>
[CollectionDefinition(DisableParallelization = true)]
public sealed class OutageCollection;
