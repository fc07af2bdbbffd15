using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClusterPlatform.AppHost;
using ClusterPlatform.Tests.Topology;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Resilience;

/// <summary>The resilience classes run alone, one after the other: their faults would hit any topology sharing the machine's two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ResilienceCollection
{
    public const string Name = "Resilience";
}

/// <summary>
/// The whole topology, as <see cref="TopologyFixture"/> runs it, with the means to hurt it the way
/// production does: SIGKILL a process (the AppHost's self-healing starts it again) or restart one
/// with the dashboard's command.
/// </summary>
public class ResilienceFixture : TopologyFixture
{
    // Aspire's resource property with the process id DCP started (src/Shared/Model/KnownProperties.cs,
    // KnownProperties.Executable.Pid; the class is internal to Aspire).
    private const string ProcessIdProperty = "executable.pid";

    private const int SigKill = 9;

    /// <summary>A client of the Api (through Aspire's proxy, so every replica) as a user of acme.</summary>
    public HttpClient CreateClient()
    {
        var client = App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", CreateUserToken("acme"));
        client.Timeout = TimeSpan.FromSeconds(15);
        return client;
    }

    public async Task<string> ConnectionStringAsync(CancellationToken cancellationToken) =>
        (await App.GetConnectionStringAsync(ResourceNames.Database, cancellationToken))!;

    /// <summary>
    /// SIGKILLs the process tree of one instance of <paramref name="resourceName"/> (a project runs
    /// under `dotnet run`, so the service is a child of the process DCP started) and returns once the
    /// AppHost has started it again and it is healthy: how long that took.
    /// </summary>
    public async Task<TimeSpan> KillAndWaitForRestartAsync(string resourceName, CancellationToken cancellationToken)
    {
        var (instance, snapshot) = InstancesOf(resourceName).OrderBy(i => i.Key, StringComparer.Ordinal).First(i => IsHealthy(i.Value));
        var pid = ProcessId(snapshot) ?? throw new InvalidOperationException($"{instance} shows no {ProcessIdProperty}.");
        var killed = Stopwatch.StartNew();
        // Children first: the service itself dies before the `dotnet run` that would report its exit.
        foreach (var process in Enumerable.Reverse(ProcessTree(pid)))
        {
            _ = Kill(process, SigKill);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var restarted = await App.ResourceNotifications.WaitForResourceAsync(resourceName,
            e => e.ResourceId == instance && IsHealthy(e) && ProcessId(e) is { } newPid && newPid != pid, timeout.Token);
        // The dashboard shows that the AppHost restarted it.
        Assert.Contains(restarted.Snapshot.Properties, p => p.Name == SelfHealing.RestartsProperty);
        return killed.Elapsed;
    }

    /// <summary>Runs the dashboard's Restart command on <paramref name="resourceName"/>; how long its stop took and how long until healthy again.</summary>
    public async Task<(TimeSpan Stop, TimeSpan Healthy)> RestartAsync(string resourceName, CancellationToken cancellationToken)
    {
        var commands = App.Services.GetRequiredService<ResourceCommandService>();
        var watch = Stopwatch.StartNew();
        var stop = await commands.ExecuteCommandAsync(resourceName, KnownResourceCommands.StopCommand, cancellationToken);
        Assert.True(stop.Success, stop.Message);
        var stopped = watch.Elapsed;
        var start = await commands.ExecuteCommandAsync(resourceName, KnownResourceCommands.StartCommand, cancellationToken);
        Assert.True(start.Success, start.Message);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, timeout.Token);
        return (stopped, watch.Elapsed);
    }

    private static int? ProcessId(ResourceEvent e) =>
        e.Snapshot.Properties.FirstOrDefault(p => p.Name == ProcessIdProperty)?.Value switch
        {
            int pid => pid,
            long pid => (int)pid,
            string text when int.TryParse(text, CultureInfo.InvariantCulture, out var pid) => pid,
            _ => null,
        };

    /// <summary><paramref name="root"/> and its descendants, parents before children (from /proc).</summary>
    private static List<int> ProcessTree(int root)
    {
        var parents = new Dictionary<int, int>();
        foreach (var stat in Directory.EnumerateDirectories("/proc").Select(d => Path.Combine(d, "stat")))
        {
            try
            {
                // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
                var text = File.ReadAllText(stat);
                var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
                parents[int.Parse(text[..text.IndexOf(' ', StringComparison.Ordinal)], CultureInfo.InvariantCulture)] = int.Parse(fields[1], CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Not a process, or it ended while being read.
            }
        }

        var tree = new List<int> { root };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }

        return tree;
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>Two Api replicas and two Controllers replicas (the AppHost's Topology settings).</summary>
public sealed class ReplicatedResilienceFixture : ResilienceFixture
{
    protected override IEnumerable<string> Settings => ["Topology:ApiReplicas=2", "Topology:ControllersReplicas=2"];
}
