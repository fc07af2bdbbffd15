using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClusterPlatform.AppHost;
using ClusterPlatform.Tests.Infrastructure;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// The whole AppHost topology, on random ports and a throwaway PostgreSQL data directory, with the
/// Api trusting tokens signed by a key only this fixture knows (configured as `dotnet user-jwts` does).
/// </summary>
public sealed class TopologyFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), $"clusterplatform-topology-{Guid.NewGuid():N}");
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

        // Projects named fail-… fail environment validation in the simulated providers.
        appHost.CreateResourceBuilder<ProjectResource>(ResourceNames.Controllers)
            .WithEnvironment("Providers__Simulation__FailingProjectPattern", "^fail-");

        app = await appHost.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
    }

    /// <summary>Waits until PostgreSQL and the Api report healthy (again, after a restart).</summary>
    public async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.PostgresServer, timeout.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync(ResourceNames.Api, timeout.Token);
    }

    /// <summary>A bearer token for a user of <paramref name="organization"/>.</summary>
    public static string CreateUserToken(string organization) =>
        TestTokens.Create("topology-test", organization, ["user"], DateTime.UtcNow.Add(Timeout));

    public async ValueTask DisposeAsync()
    {
        if (app is not null)
        {
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
