using ClusterPlatform.AppHost;

namespace ClusterPlatform.Tests.Deployment;

/// <summary>
/// The Api and a controller, in the Production environment, with every setting their GKE
/// Deployments give them (the rendered example overlay, resolved as the kubelet would). Only the
/// database, the emulator and the listening port are this machine's. A setting a service cannot
/// bind or validate would stop it here, not in a rollout.
/// </summary>
public sealed class DeployedStartupTests(GkeManifestsFixture gke, PostgresServer postgres, PubSubEmulator emulator)
    : IClassFixture<GkeManifestsFixture>
{
    /// <summary>
    /// What this machine supplies instead: its database, its emulator project, its port; and the
    /// console format, because JSON lines would flood the test output (the format is ASP.NET Core's own).
    /// </summary>
    private static readonly string[] Local = ["ConnectionStrings:clusterdb", "PUBSUB_PROJECT_ID", "HTTP_PORTS", "Logging:Console:FormatterName"];

    private sealed class DeployedApiServer(PostgresServer postgres, PubSubEmulator emulator, IReadOnlyDictionary<string, string?> settings)
        : ApiServer(postgres, emulator)
    {
        protected override string EnvironmentName => "Production";

        protected override IReadOnlyDictionary<string, string?> Settings => settings;
    }

    [Fact]
    public async Task The_api_starts_in_production_with_its_deployment_settings_and_serves_health_and_refuses_anonymous_calls()
    {
        var container = gke.Deployment("api").Spec.Template.Spec.Containers[0];
        var settings = gke.EnvironmentOf(container)
            .Where(e => !e.Key.StartsWith("PARAMETER_", StringComparison.Ordinal))
            .ToDictionary(e => e.Key.Replace("__", ":", StringComparison.Ordinal), e => (string?)e.Value)
            .Where(e => !Local.Contains(e.Key))
            .ToDictionary();
        Assert.Contains("Authentication:Google:Controllers:placement-controller", settings.Keys);

        var api = new DeployedApiServer(postgres, emulator, settings);
        await api.InitializeAsync();
        try
        {
            using var client = api.Anonymous();
            using var alive = await client.GetAsync("/alive", TestContext.Current.CancellationToken);
            using var health = await client.GetAsync("/health", TestContext.Current.CancellationToken);
            using var clusters = await client.GetAsync("/api/v1/clusters", TestContext.Current.CancellationToken);

            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, clusters.StatusCode);
        }
        finally
        {
            await api.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_controller_starts_in_production_with_its_deployment_settings_runs_only_itself_and_serves_health()
    {
        var container = gke.Deployment(ControllerNames.Placement).Spec.Template.Spec.Containers[0];
        var port = LoopbackPorts.Free();
        var environment = gke.EnvironmentOf(container).Where(e => !Local.Contains(e.Key.Replace("__", ":", StringComparison.Ordinal)))
            .ToDictionary(e => e.Key, e => (string?)e.Value);
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        environment["PUBSUB_PROJECT_ID"] = PubSubEmulator.NewProjectId();
        environment["PUBSUB_EMULATOR_HOST"] = emulator.HostPort;
        // No Api runs here: the controller must start and subscribe without one.
        environment["services__api__http__0"] = "http://127.0.0.1:9";
        var tail = new ProcessOutputTail();
        using var process = tail.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "ClusterPlatform.Controllers.dll")], environment);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await Wait.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    Assert.Fail($"The controller exited ({process.ExitCode}):\n{tail}");
                }

                try
                {
                    using var alive = await client.GetAsync("/alive");
                    return alive.StatusCode == HttpStatusCode.OK && tail.ToString().Contains("is listening on subscription", StringComparison.Ordinal);
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(60), () => $"the controller to answer /alive and subscribe; its output:\n{tail}");

            var output = tail.ToString();
            Assert.Contains($"{ControllerNames.Placement} is listening on subscription", output, StringComparison.Ordinal);
            Assert.DoesNotContain($"{ControllerNames.DnsManagement} is listening", output, StringComparison.Ordinal);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
