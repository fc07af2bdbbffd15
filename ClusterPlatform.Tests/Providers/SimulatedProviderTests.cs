extern alias controllers;

using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClusterPlatform.Tests.Providers;

public sealed class SimulatedProviderTests
{
    private static readonly Uri ManagementCluster = new("https://mc-us-central1-a.example.com:6443");

    /// <summary>The providers as the Controllers process registers them, from configuration.</summary>
    private static IServiceProvider Providers(params (string Key, string Value)[] settings) => Providers(null, settings);

    private static IServiceProvider Providers(TimeProvider? time, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"Providers:{s.Key}", (string?)s.Value)));
        builder.AddProviders();
        return builder.Build().Services;
    }

    /// <summary>The simulated management clusters, as the Controllers process registers them.</summary>
    internal static SimulatedManagementClusterProvider Simulation() => Providers().GetRequiredService<SimulatedManagementClusterProvider>();

    [Fact]
    public void Simulated_is_the_default_mode()
    {
        var services = Providers();
        Assert.IsType<SimulatedDnsProvider>(services.GetRequiredService<IDnsProvider>());
        Assert.IsType<SimulatedManagementClusterProvider>(services.GetRequiredService<IManagementClusterProvider>());
        Assert.Same(services.GetRequiredService<SimulatedDnsProvider>(), services.GetRequiredService<IDnsProvider>());
    }

    [Fact]
    public void Real_mode_wires_the_google_cloud_and_kubernetes_providers_and_no_simulated_world()
    {
        var services = Providers(("Mode", "Real"));

        // Resolving builds each provider with its HTTP client and credentials chain; no call is made yet.
        Assert.IsType<GcpEnvironmentProvider>(services.GetRequiredService<IGcpEnvironmentProvider>());
        Assert.IsType<CloudDnsProvider>(services.GetRequiredService<IDnsProvider>());
        Assert.IsType<HyperShiftManagementClusterProvider>(services.GetRequiredService<IManagementClusterProvider>());
        Assert.Null(services.GetService<SimulatedDnsProvider>());
        Assert.Null(services.GetService<SimulatedManagementClusterProvider>());
    }

    [Fact]
    public async Task A_project_passes_every_check_of_the_real_provider_and_says_simulated()
    {
        var provider = Providers().GetRequiredService<IGcpEnvironmentProvider>();
        var request = GcpRequests.For("acme-prod-123", "us-central1", 24);

        var report = await provider.ValidateAsync(request, Cancellation);

        Assert.True(report.Passed);
        Assert.Equal(GcpEnvironmentChecks.All, report.Checks.Select(c => c.Name));
        Assert.All(report.Checks, c => Assert.StartsWith("simulated:", c.Message, StringComparison.Ordinal));
        Assert.Equal(SimulatedGcpEnvironmentProvider.ProjectNumber("acme-prod-123"), report.ProjectNumber);
        // Deterministic: the same request gives the same report.
        Assert.Equal(report.Checks, (await provider.ValidateAsync(request, Cancellation)).Checks);
    }

    [Fact]
    public async Task A_project_matching_the_failing_pattern_reports_every_failed_check()
    {
        var provider = Providers(("Simulation:FailingProjectPattern", "^fail-"), ("Simulation:CpuQuota", "8"))
            .GetRequiredService<IGcpEnvironmentProvider>();

        var report = await provider.ValidateAsync(GcpRequests.For("fail-project-1", "europe-west4", 12), Cancellation);

        Assert.False(report.Passed);
        Assert.Equal(GcpEnvironmentChecks.All, report.Checks.Select(c => c.Name));
        Assert.Equal(
            [GcpEnvironmentChecks.ApisEnabled, GcpEnvironmentChecks.CpuQuota, GcpEnvironmentChecks.IamPermissions],
            report.Checks.Where(c => !c.Passed).Select(c => c.Name));
        Assert.Equal(
            "simulated: APIs not enabled in project fail-project-1: iamcredentials.googleapis.com; "
            + "simulated: CPU quota in europe-west4 has 8 vCPUs free, 12 needed; "
            + "simulated: service account lacks permissions in project fail-project-1: iam.workloadIdentityPoolProviders.get",
            report.Message);
        Assert.Contains(SimulatedGcpEnvironmentProvider.DisabledApi, GcpEnvironmentChecks.RequiredApis);
        Assert.Contains(SimulatedGcpEnvironmentProvider.MissingPermission, GcpEnvironmentChecks.RequiredPermissions);
        Assert.True((await provider.ValidateAsync(GcpRequests.For("ok-project-1", "europe-west4", 8), Cancellation)).Passed);
    }

    private static readonly Guid AlphaId = Guid.Parse("6f1c2d3e-4b5a-4c6d-8e7f-901a2b3c4d5e");

    [Fact]
    public async Task Dns_names_another_cluster_owns_are_neither_claimed_nor_released_until_it_releases_them()
    {
        var dns = Providers().GetRequiredService<SimulatedDnsProvider>();
        var alpha = new ClusterDnsName(AlphaId, "alpha", "acme.example.com");
        var namesake = alpha with { ClusterId = Guid.NewGuid() };
        await dns.ClaimAsync(alpha, Cancellation);

        var refused = await dns.ClaimAsync(namesake, Cancellation);
        Assert.False(refused.Ready);
        Assert.Contains("belong to another cluster", refused.Message, StringComparison.Ordinal);
        Assert.Contains("left alone", (await dns.ReleaseAsync(namesake, Cancellation)).Message, StringComparison.Ordinal);
        Assert.Equal(new SimulatedDnsRecord("TXT", $"\"clusterplatform-cluster={AlphaId}\""), dns.Records["_owner.alpha.acme.example.com"]);

        await dns.ReleaseAsync(alpha, Cancellation);
        Assert.True((await dns.ClaimAsync(namesake, Cancellation)).Ready);
        Assert.Equal(new SimulatedDnsRecord("TXT", $"\"clusterplatform-cluster={namesake.ClusterId}\""), dns.Records["_owner.alpha.acme.example.com"]);
    }

    [Fact]
    public async Task Dns_claims_are_idempotent_and_releasing_an_absent_claim_succeeds()
    {
        var dns = Providers().GetRequiredService<SimulatedDnsProvider>();
        var name = new ClusterDnsName(AlphaId, "alpha", "acme.example.com");

        var claimed = await dns.ClaimAsync(name, Cancellation);
        Assert.Equal(("api.alpha.acme.example.com", "oauth.alpha.acme.example.com"), (claimed.ApiHostname, claimed.OAuthHostname));
        Assert.Equal(claimed.Message, (await dns.ClaimAsync(name, Cancellation)).Message);
        Assert.Single(dns.Records);

        Assert.Equal("simulated: the claim was released", (await dns.ReleaseAsync(name, Cancellation)).Message);
        Assert.Empty(dns.Records);
        Assert.Equal("simulated: the names were not claimed", (await dns.ReleaseAsync(name, Cancellation)).Message);
    }

    [Fact]
    public async Task Calls_for_clusters_matching_the_transient_pattern_fail_the_configured_number_of_times_then_succeed()
    {
        var dns = Providers(("Simulation:TransientFailurePattern", "^flaky"), ("Simulation:TransientFailureCount", "2"))
            .GetRequiredService<IDnsProvider>();
        var request = new ClusterDnsName(Guid.NewGuid(), "flaky-one", "acme.example.com");

        for (var attempt = 1; attempt <= 2; attempt++)
        {
            var failure = await Assert.ThrowsAsync<ProviderException>(() => dns.ClaimAsync(request, Cancellation));
            Assert.True(failure.Transient);
            Assert.Contains("simulated transient failure", failure.Message, StringComparison.Ordinal);
        }

        await dns.ClaimAsync(request, Cancellation);
        await dns.ClaimAsync(new ClusterDnsName(Guid.NewGuid(), "steady", "acme.example.com"), Cancellation);
    }

    [Fact]
    public async Task A_failure_rate_fails_the_same_calls_in_every_run()
    {
        static async Task<string> OutcomesAsync()
        {
            var kubernetes = Providers(("Simulation:TransientFailureRate", "0.5")).GetRequiredService<IManagementClusterProvider>();
            var outcomes = new System.Text.StringBuilder();
            for (var i = 0; i < 40; i++)
            {
                try
                {
                    await kubernetes.GetStatusAsync(ManagementCluster, new HostedClusterRef("ns", $"c{i % 4}"), Cancellation);
                    outcomes.Append('.');
                }
                catch (ProviderException e) when (e.Transient)
                {
                    outcomes.Append('x');
                }
            }

            return outcomes.ToString();
        }

        var first = await OutcomesAsync();
        Assert.Equal(first, await OutcomesAsync());
        Assert.InRange(first.Count(c => c == 'x'), 8, 32);
    }

    [Fact]
    public async Task Latency_is_applied_to_every_call()
    {
        var dns = Providers(("Simulation:Latency", "00:00:00.050")).GetRequiredService<IDnsProvider>();
        var started = System.Diagnostics.Stopwatch.StartNew();
        await dns.ReleaseAsync(new ClusterDnsName(Guid.NewGuid(), "slow", "acme.example.com"), Cancellation);
        Assert.True(started.Elapsed >= TimeSpan.FromMilliseconds(45), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task An_upgrade_plays_as_HyperShift_plays_it_Partial_first_then_Completed_after_the_configured_duration()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 0, 0, TimeSpan.Zero));
        var simulation = Providers(clock, ("Simulation:UpgradeDuration", "00:05:00")).GetRequiredService<SimulatedManagementClusterProvider>();
        const string nextImage = "quay.io/openshift-release-dev/ocp-release@sha256:4444444444444444444444444444444444444444444444444444444444444444";
        var installed = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"));
        var installStatus = await simulation.ApplyAsync(ManagementCluster, installed, Cancellation);
        clock.Advance(TimeSpan.FromHours(1));
        var upgraded = installed with
        {
            ReleaseVersion = "4.22.4",
            ReleaseImage = nextImage,
            NodePools = [HyperShiftInputs.Pool("workers") with { ReleaseVersion = "4.22.4", ReleaseImage = nextImage }],
        };

        var started = await simulation.ApplyAsync(ManagementCluster, upgraded, Cancellation);
        clock.Advance(TimeSpan.FromMinutes(4));
        var halfway = await simulation.ApplyAsync(ManagementCluster, upgraded, Cancellation);
        clock.Advance(TimeSpan.FromMinutes(1));
        var done = await simulation.GetStatusAsync(ManagementCluster, installed.Ref, Cancellation);

        // The first install is complete at once.
        Assert.Equal([new ReleaseHistoryEntry("4.22.3", HyperShiftInputs.ReleaseImage, "Completed", At(10, 0), At(10, 0))], installStatus.Version!.History);
        Assert.Equal("4.22.3", Assert.Single(installStatus.NodePools).Version);
        // The new release: desired at once, a Partial entry first, the superseded one closed, Available throughout.
        Assert.Equal(("4.22.4", nextImage), (started.Version!.DesiredVersion, started.Version.DesiredImage));
        Assert.Equal(
            [new ReleaseHistoryEntry("4.22.4", nextImage, "Partial", At(11, 0), null), new ReleaseHistoryEntry("4.22.3", HyperShiftInputs.ReleaseImage, "Completed", At(10, 0), At(10, 0))],
            started.Version.History);
        Assert.All(new[] { started, halfway, done }, s => Assert.True(s.Available));
        Assert.Equal((true, "simulated: working towards 4.22.4"), (started.Progressing, started.RolloutMessage));
        Assert.Equal("Partial", halfway.Version!.Latest!.State);
        // The NodePool keeps its old status.version, updating, and stays Ready.
        var rolling = Assert.Single(halfway.NodePools);
        Assert.Equal(("4.22.3", true), (rolling.Version, rolling.Ready));
        Assert.Contains(rolling.Conditions, c => c is { Type: "UpdatingVersion", Status: "True" });
        // Five minutes after it started: Completed at exactly that time, even read without an apply.
        Assert.Equal(new ReleaseHistoryEntry("4.22.4", nextImage, "Completed", At(11, 0), At(11, 5)), done.Version!.Latest);
        Assert.Equal(2, done.Version.History.Count);
        Assert.False(done.Progressing);
        var rolled = Assert.Single(done.NodePools);
        Assert.Equal(("4.22.4", true), (rolled.Version, rolled.Ready));
        Assert.DoesNotContain(rolled.Conditions, c => c.Type == "UpdatingVersion");
    }

    [Fact]
    public void The_default_upgrade_duration_is_a_realistic_one()
    {
        // HyperShift rolls a hosted control plane to a new patch in minutes, not seconds.
        Assert.Equal(TimeSpan.FromMinutes(10), new SimulationOptions().UpgradeDuration);
    }

    private static DateTime At(int hour, int minute) => new(2026, 12, 2, hour, minute, 0, DateTimeKind.Utc);

    [Fact]
    public async Task A_hosted_cluster_is_applied_available_pruned_and_gone_after_delete()
    {
        var simulation = Providers().GetRequiredService<SimulatedManagementClusterProvider>();
        var cluster = HyperShiftInputs.Cluster("alpha", HyperShiftInputs.Pool("workers"), HyperShiftInputs.Pool("infra", replicas: 2));

        var status = await simulation.ApplyAsync(ManagementCluster, cluster, Cancellation);
        Assert.True(status.Available);
        Assert.Contains("simulated", status.Message, StringComparison.Ordinal);
        // Read back from the published status.controlPlaneEndpoint and the stored spec, as from HyperShift's.
        Assert.Equal("https://api.alpha.acme.example.com", status.ApiUrl);
        Assert.Equal("https://console-openshift-console.apps.alpha.acme.example.com", status.ConsoleUrl);
        Assert.Equal(["infra", "workers"], status.NodePools.Select(p => p.Name));
        Assert.All(status.NodePools, p => Assert.True(p.Ready));

        var hostedCluster = Assert.Single(simulation.Objects, o => o.Key.Kind == "HostedCluster").Value;
        Assert.Equal(HyperShiftInputs.ReleaseImage, (string?)hostedCluster["spec"]!["release"]!["image"]);
        Assert.Equal(1L, (long)hostedCluster["metadata"]!["generation"]!);
        Assert.Equal("GCP", (string?)hostedCluster["spec"]!["platform"]!["type"]);

        status = await simulation.ApplyAsync(ManagementCluster, cluster with { NodePools = [HyperShiftInputs.Pool("workers")] }, Cancellation);
        Assert.Equal(["workers"], status.NodePools.Select(p => p.Name));

        Assert.True((await simulation.DeleteAsync(ManagementCluster, cluster.Ref, Cancellation)).Gone);
        Assert.Empty(simulation.Objects);
        Assert.False((await simulation.GetStatusAsync(ManagementCluster, cluster.Ref, Cancellation)).Exists);
        Assert.True((await simulation.DeleteAsync(ManagementCluster, cluster.Ref, Cancellation)).Gone);
    }
}
