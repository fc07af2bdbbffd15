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

    /// <summary>The resources whose instances <see cref="WaitUntilHealthyAsync"/> waits for.</summary>
    private static readonly string[] Services = [ResourceNames.PostgresServer, ResourceNames.Api, ResourceNames.Controllers];

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-topology-{Guid.NewGuid():N}");
    private const int LogTailLines = 80;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> logTails = new();
    private readonly ConcurrentDictionary<string, ResourceEvent> instances = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource stopping = new();
    private DistributedApplication? app;

    public DistributedApplication App => app ?? throw new InvalidOperationException("The topology has not started.");

    /// <summary>More AppHost settings, as <c>Name=value</c> (configuration keys with ':').</summary>
    protected virtual IEnumerable<string> Settings => [];

    /// <summary>The latest snapshot of every instance (replica) of <paramref name="resourceName"/>, by instance id.</summary>
    public IReadOnlyDictionary<string, ResourceEvent> InstancesOf(string resourceName) =>
        instances.Where(i => i.Value.Resource.Name == resourceName).ToDictionary(i => i.Key, i => i.Value, StringComparer.Ordinal);

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
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
        // finalizers, looked at again after 250 ms (the outcome model's retry-after).
        appHost.CreateResourceBuilder<ProjectResource>(ResourceNames.Controllers)
            .WithEnvironment("Providers__Simulation__FailingProjectPattern", "^fail-")
            .WithEnvironment("Providers__Simulation__PermanentFailurePattern", "^refused-")
            .WithEnvironment("Providers__Simulation__TransientFailurePattern", "^flaky-")
            .WithEnvironment("Providers__Simulation__DeletionReconciles", "2")
            .WithEnvironment("Controllers__RequeueAfter", "00:00:00.250");

        app = await appHost.BuildAsync(timeout.Token);
        WatchInstances();
        await app.StartAsync(timeout.Token);
    }

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
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var update in App.ResourceNotifications.WatchAsync(stopping.Token))
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
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in loggers.WatchAsync(instance).WithCancellation(stopping.Token))
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

    /// <summary>A bearer token for a user of <paramref name="organization"/>.</summary>
    public static string CreateUserToken(string organization) =>
        TestTokens.Create("topology-test", organization, ["user"], DateTime.UtcNow.Add(Timeout));

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
            await stopping.CancelAsync();
            stopping.Dispose();
            await app.DisposeAsync();
        }

        await WaitForServerExitAsync();
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        GC.SuppressFinalize(this);
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
