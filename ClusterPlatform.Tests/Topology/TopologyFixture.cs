using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClusterPlatform.AppHost;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// The whole AppHost topology, on random ports and a throwaway PostgreSQL data directory, with the
/// Api trusting tokens signed by a key only this fixture knows (configured as `dotnet user-jwts` does).
/// A derived fixture passes more AppHost settings (<see cref="Settings"/>), such as replica counts.
/// </summary>
public class TopologyFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    // One start attempt: about a minute alone on two cores, so three are room for a loaded machine,
    // and a hung attempt is given up and retried well inside the suite's budget.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The resources whose instances <see cref="WaitUntilHealthyAsync"/> waits for.</summary>
    private static readonly string[] Services = [ResourceNames.PostgresServer, ResourceNames.Api, ResourceNames.Controllers];

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-topology-{Guid.NewGuid():N}");
    private const int LogTailLines = 80;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> logTails = new();
    private readonly ConcurrentDictionary<string, ResourceEvent> instances = new(StringComparer.Ordinal);
    private CancellationTokenSource stopping = new();
    private DistributedApplication? app;

    public DistributedApplication App => app ?? throw new InvalidOperationException("The topology has not started.");

    /// <summary>More AppHost settings, as <c>Name=value</c> (configuration keys with ':').</summary>
    protected virtual IEnumerable<string> Settings => [];

    /// <summary>A derived fixture's changes to the resources, before the AppHost is built.</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder appHost)
    {
    }

    /// <summary>The latest snapshot of every instance (replica) of <paramref name="resourceName"/>, by instance id.</summary>
    public IReadOnlyDictionary<string, ResourceEvent> InstancesOf(string resourceName) =>
        instances.Where(i => i.Value.Resource.Name == resourceName).ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);

    /// <summary>
    /// Starts the topology. A start that does not finish in time is recorded (where each instance
    /// stood, the services' last log lines) and tried once more on a fresh AppHost: on clean CI clones
    /// the two-replica topology's start has hung now and then before any test ran, which says nothing
    /// about the behaviour under test. A second hang fails the class with both records.
    /// </summary>
    public async ValueTask InitializeAsync()
    {
        TimeoutException? first = null;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartAsync();
                if (first is not null)
                {
                    TestContext.Current.SendDiagnosticMessage($"The topology started on its second attempt; the first: {first.Message}");
                }

                return;
            }
            catch (TimeoutException e) when (attempt == 1)
            {
                first = e;
                await StopAsync();
            }
            catch (TimeoutException e) when (first is not null)
            {
                throw new TimeoutException($"{e.Message}{Environment.NewLine}The first attempt: {first.Message}", e);
            }
        }
    }

    private async Task StartAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ClusterPlatform_AppHost>(
            [$"--Postgres:DataDirectory={dataDirectory}", .. Settings.Select(s => $"--{s}")], timeout.Token);

        var api = appHost.CreateResourceBuilder<ProjectResource>(ResourceNames.Api).WithEnvironment("ASPNETCORE_ENVIRONMENT", "Development");
        foreach (var (key, value) in TestTokens.ApiSettings())
        {
            api.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
        }

        // Projects named fail-… fail environment validation in the simulated providers; clusters named
        // refused-… are refused for good by the simulated management cluster, and flaky-… fail each
        // call once, transiently. Every HostedCluster delete waits two reconciles for simulated
        // finalizers, looked at again after 250 ms (the outcome model's retry-after). A simulated upgrade
        // rolls out in 6 s: long enough for a test to watch it Partial, short enough to wait for.
        appHost.CreateResourceBuilder<ProjectResource>(ResourceNames.Controllers)
            .WithEnvironment("Providers__Simulation__FailingProjectPattern", "^fail-")
            .WithEnvironment("Providers__Simulation__PermanentFailurePattern", "^refused-")
            .WithEnvironment("Providers__Simulation__TransientFailurePattern", "^flaky-")
            .WithEnvironment("Providers__Simulation__DeletionReconciles", "2")
            .WithEnvironment("Providers__Simulation__UpgradeDuration", "00:00:06")
            .WithEnvironment("Controllers__RequeueAfter", "00:00:00.250");

        Configure(appHost);
        app = await appHost.BuildAsync(timeout.Token);
        WatchInstances();
        try
        {
            await app.StartAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Say where the start stood, or a hung start reads only as "a task was canceled".
            throw new TimeoutException($"The topology did not start within {StartTimeout.TotalMinutes} min. {Describe()}");
        }
    }

    /// <summary>Each instance's state and health, then the services' last log lines.</summary>
    public string Describe() =>
        string.Join("; ", instances.OrderBy(i => i.Key, StringComparer.Ordinal)
            .Select(i => $"{i.Key}: {i.Value.Snapshot.State?.Text ?? "no state"}/{i.Value.Snapshot.HealthStatus?.ToString() ?? "no health"}"))
        + Environment.NewLine + RecentLogs(ResourceNames.Api) + Environment.NewLine + RecentLogs(ResourceNames.Controllers);

    /// <summary>
    /// Waits until PostgreSQL and every instance of the Api and the Controllers report healthy
    /// (again, after a restart). The Controllers start last, after the Api is healthy; a test that
    /// stops them while they are still starting gets "failed to stop" from DCP and leaves them stuck.
    /// </summary>
    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        foreach (var service in Services)
        {
            // Any one first: the instances appear only once the resource is being started.
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
            foreach (var instance in InstancesOf(service).Keys)
            {
                await App.ResourceNotifications.WaitForResourceAsync(service, e => e.ResourceId == instance && IsHealthy(e), timeout.Token);
            }
        }
    }

    /// <summary>Running and passing its health checks.</summary>
    public static bool IsHealthy(ResourceEvent e) =>
        e.Snapshot.State?.Text == KnownResourceStates.Running && e.Snapshot.HealthStatus == Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy;

    /// <summary>
    /// The last lines the resource logged (across its restarts), so a failed wait on the topology
    /// shows what the processes were doing instead of only that time ran out.
    /// </summary>
    public string RecentLogs(string resourceName)
    {
        var tail = logTails.GetValueOrDefault(resourceName);
        var lines = tail is null ? [] : tail.ToArray();
        return $"--- last {lines.Length} lines of {resourceName} ---{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }

    // Keeps the latest snapshot of every instance, and the last log lines of each instance of the
    // services: resource logs flow only while someone watches them (as the dashboard does), so the
    // fixture watches them from the start. Logs are kept per instance (DCP's name,
    // "controllers-<suffix>"), and shown per model resource.
    private void WatchInstances()
    {
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        var notifications = App.ResourceNotifications;
        var token = stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in notifications.WatchAsync(token))
                {
                    if (instances.TryAdd(update.ResourceId, update) && update.Resource.Name is ResourceNames.Api or ResourceNames.Controllers)
                    {
                        TailLogs(loggers, update.Resource.Name, update.ResourceId);
                    }

                    instances[update.ResourceId] = update;
                }
            }
            catch (OperationCanceledException)
            {
                // The fixture is being disposed.
            }
        });
    }

    private void TailLogs(ResourceLoggerService loggers, string resourceName, string instance)
    {
        var tail = logTails.GetOrAdd(resourceName, _ => new ConcurrentQueue<string>());
        var token = stopping.Token;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in loggers.WatchAsync(instance).WithCancellation(token))
                {
                    foreach (var line in batch)
                    {
                        tail.Enqueue($"[{instance}] {line.Content}");
                        while (tail.Count > LogTailLines && tail.TryDequeue(out _))
                        {
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The fixture is being disposed.
            }
        });
    }

    /// <summary>
    /// Collects a resource's console output, one entry per line, from now on (and whatever backlog the
    /// logger service replays) until <paramref name="stop"/>.
    /// </summary>
    public ConcurrentQueue<string> WatchLog(string resourceName, CancellationToken stop)
    {
        var lines = new ConcurrentQueue<string>();
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        _ = Task.Run(async () =>
        {
            try
            {
                var instance = (await App.ResourceNotifications.WaitForResourceAsync(resourceName, _ => true, stop)).ResourceId;
                await foreach (var batch in loggers.WatchAsync(instance).WithCancellation(stop))
                {
                    foreach (var line in batch)
                    {
                        lines.Enqueue(line.Content);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test has what it needs.
            }
        }, CancellationToken.None);
        return lines;
    }

    /// <summary>A bearer token for a user of <paramref name="organization"/>.</summary>
    public static string CreateUserToken(string organization) =>
        TestTokens.Create("topology-test", organization, ["user"], DateTime.UtcNow.Add(Timeout));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    // Stops the AppHost and the fixture's watchers, and waits for PostgreSQL to let go of its data directory.
    private async Task StopAsync()
    {
        await stopping.CancelAsync();
        stopping.Dispose();
        stopping = new CancellationTokenSource();
        if (app is not null)
        {
            await app.DisposeAsync();
            app = null;
        }

        instances.Clear();
        logTails.Clear();
        await WaitForServerExitAsync();
    }

    // DCP stops PostgreSQL asynchronously; the server removes postmaster.pid as the last step of its
    // shutdown, so deleting the directory before that could race with its final checkpoint.
    private async Task WaitForServerExitAsync()
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (File.Exists(pidFile) && !timeout.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
    }
}
