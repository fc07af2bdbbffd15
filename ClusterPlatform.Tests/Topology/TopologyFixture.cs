using System.Collections.Concurrent;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClusterPlatform.AppHost;
using ClusterPlatform.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// The whole AppHost topology, on random ports and a throwaway PostgreSQL data directory, with the
/// Api trusting tokens signed by a key only this fixture knows (configured as `dotnet user-jwts` does).
/// </summary>
public sealed class TopologyFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-topology-{Guid.NewGuid():N}");
    private const int LogTailLines = 80;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> logTails = new();
    private readonly CancellationTokenSource stopping = new();
    private DistributedApplication? app;

    public DistributedApplication App => app ?? throw new InvalidOperationException("The topology has not started.");

    public async ValueTask InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        var appHost = await DistributedApplicationTestingBuilder.CreateAsync<Projects.ClusterPlatform_AppHost>(
            [$"--Postgres:DataDirectory={dataDirectory}"], timeout.Token);

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
        WatchLogs(ResourceNames.Controllers);
        await app.StartAsync(timeout.Token);
    }

    /// <summary>
    /// Waits until PostgreSQL, the Api and the Controllers report healthy (again, after a restart).
    /// The Controllers start last, after the Api is healthy; a test that stops them while they are
    /// still starting gets "failed to stop" from DCP and leaves them stuck.
    /// </summary>
    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.PostgresServer, timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Api, timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Controllers, timeout.Token);
    }

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

    // Resource logs flow only while someone watches them (as the dashboard does), so the fixture
    // watches the services from the start and keeps the last lines of each.
    private void WatchLogs(string resourceName)
    {
        var tail = logTails.GetOrAdd(resourceName, _ => new ConcurrentQueue<string>());
        var loggers = App.Services.GetRequiredService<ResourceLoggerService>();
        // Logs are kept per instance (DCP's name, "controllers-<suffix>"), not per model resource.
        _ = Task.Run(async () =>
        {
            try
            {
                var instance = (await App.ResourceNotifications.WaitForResourceAsync(resourceName, _ => true, stopping.Token)).ResourceId;
                await foreach (var batch in loggers.WatchAsync(instance).WithCancellation(stopping.Token))
                {
                    foreach (var line in batch)
                    {
                        tail.Enqueue(line.Content);
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
