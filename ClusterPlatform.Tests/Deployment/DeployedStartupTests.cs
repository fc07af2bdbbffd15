using System.Net;
using ClusterPlatform.Tests.Infrastructure;

namespace ClusterPlatform.Tests.Deployment;

/// <summary>
/// The Api, in the Production environment, with every setting its GKE Deployment gives it (the
/// rendered example overlay, resolved as the kubelet would). Only the database, the emulator and the
/// listening port are this machine's. A setting the Api cannot bind or validate would stop it here,
/// not in a rollout.
/// </summary>
public sealed class DeployedApiStartupTests(GkeManifestsFixture gke, PostgresServer postgres, PubSubEmulator emulator)
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
}
