extern alias controllers;

using System.Collections.Concurrent;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace ClusterPlatform.Tests.Providers;

/// <summary>
/// The real provider, registered as the application registers it, against <see cref="FakeUpdateGraph"/>
/// on a local server, with time under the test's control.
/// </summary>
public sealed class CincinnatiReleaseImageProviderTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(30);

    private sealed class Rig : IAsyncDisposable
    {
        private readonly LocalApiServer server;
        private readonly ServiceProvider services;

        private Rig(LocalApiServer server, FakeUpdateGraph graph, FakeTimeProvider time, ConcurrentQueue<string> logs, ServiceProvider services)
        {
            this.server = server;
            this.services = services;
            Graph = graph;
            Time = time;
            Logs = logs;
        }

        public FakeUpdateGraph Graph { get; }

        public FakeTimeProvider Time { get; }

        public ConcurrentQueue<string> Logs { get; }

        public IReadOnlyList<string> Requests => server.Log;

        /// <summary>Resolved from the container each time, as a transient is.</summary>
        public IReleaseImageProvider Provider => services.GetRequiredService<IReleaseImageProvider>();

        /// <param name="url">Overrides the fake's graph URL, e.g. to a closed port.</param>
        public static async Task<Rig> StartAsync(string? url = null)
        {
            var graph = new FakeUpdateGraph();
            var server = await LocalApiServer.StartAsync(graph.Map);
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 21, 0, 0, TimeSpan.Zero));
            var logs = new ConcurrentQueue<string>();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Providers:UpdateGraph:Url"] = url ?? new Uri(server.BaseAddress, FakeUpdateGraph.GraphPath).AbsoluteUri,
                ["Providers:UpdateGraph:CacheTtl"] = Ttl.ToString(),
                ["Providers:UpdateGraph:RetryAfterFailure"] = RetryAfterFailure.ToString(),
            }).Build();
            var services = new ServiceCollection()
                .AddLogging(logging => logging.AddProvider(new CapturingLoggerProvider(logs)))
                .AddSingleton<TimeProvider>(time)
                .AddReleaseImageProvider(configuration.GetSection("Providers"), ProviderMode.Real)
                .BuildServiceProvider();
            return new Rig(server, graph, time, logs, services);
        }

        public async ValueTask DisposeAsync()
        {
            await services.DisposeAsync();
            await server.DisposeAsync();
        }
    }

    [Fact]
    public async Task Resolves_the_multi_arch_payload_by_digest_from_the_channel_of_the_minor()
    {
        await using var rig = await Rig.StartAsync();

        var image = await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation);

        Assert.Equal(new ReleaseImage("4.22.2", FakeUpdateGraph.PayloadOf("4.22.2", "multi")), image);
        Assert.Equal([$"GET {FakeUpdateGraph.GraphPath}?channel=stable-4.22&arch=multi -> 200"], rig.Requests);
    }

    [Fact]
    public async Task The_channel_group_decides_which_versions_exist()
    {
        await using var rig = await Rig.StartAsync();

        // 4.22.3 is in fast but not yet in stable; release candidates only in candidate.
        Assert.Null(await rig.Provider.ResolveAsync("4.22.3", "stable", Cancellation));
        Assert.Equal(FakeUpdateGraph.PayloadOf("4.22.3", "multi"), (await rig.Provider.ResolveAsync("4.22.3", "fast", Cancellation))?.PullSpec);
        Assert.Equal(FakeUpdateGraph.PayloadOf("4.22.0-rc.2", "multi"), (await rig.Provider.ResolveAsync("4.22.0-rc.2", "candidate", Cancellation))?.PullSpec);
    }

    [Fact]
    public async Task A_version_absent_from_the_graph_or_a_channel_nobody_publishes_is_not_found()
    {
        await using var rig = await Rig.StartAsync();

        Assert.Null(await rig.Provider.ResolveAsync("4.22.99", "stable", Cancellation));
        Assert.Null(await rig.Provider.ResolveAsync("4.29.0", "stable", Cancellation));
        Assert.Contains($"GET {FakeUpdateGraph.GraphPath}?channel=stable-4.29&arch=multi -> 200", rig.Requests);
    }

    [Fact]
    public async Task A_malformed_version_is_not_found_without_asking()
    {
        await using var rig = await Rig.StartAsync();

        Assert.Null(await rig.Provider.ResolveAsync("4.22", "stable", Cancellation));
        Assert.Null(await rig.Provider.ResolveAsync("latest", "stable", Cancellation));
        Assert.Empty(rig.Requests);
    }

    [Fact]
    public async Task A_payload_that_is_not_by_digest_is_refused_as_a_permanent_error()
    {
        await using var rig = await Rig.StartAsync();
        rig.Graph.Publish("4.22.4", "multi", "stable-4.22", payload: "quay.io/openshift-release-dev/ocp-release:4.22.4-multi");
        rig.Graph.Publish("4.22.5", "multi", "stable-4.22", payload: "quay.io/openshift-release-dev/ocp-release@sha256:abc123");

        foreach (var version in new[] { "4.22.4", "4.22.5" })
        {
            var e = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.ResolveAsync(version, "stable", Cancellation));
            Assert.False(e.Transient);
            Assert.Contains("not by digest", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_channel_group_that_makes_no_channel_name_is_a_permanent_error()
    {
        await using var rig = await Rig.StartAsync();

        var e = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.ResolveAsync("4.22.2", "Stable", Cancellation));

        Assert.False(e.Transient);
        Assert.Empty(rig.Requests);
    }

    [Fact]
    public async Task A_channel_is_fetched_once_per_ttl_and_the_refresh_brings_new_releases()
    {
        await using var rig = await Rig.StartAsync();
        Assert.NotNull(await rig.Provider.ResolveAsync("4.22.1", "stable", Cancellation));
        rig.Graph.Publish("4.22.4", "multi", "candidate-4.22,fast-4.22,stable-4.22");

        rig.Time.Advance(Ttl - TimeSpan.FromSeconds(1));
        Assert.NotNull(await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation));
        Assert.Null(await rig.Provider.ResolveAsync("4.22.4", "stable", Cancellation));
        Assert.Equal(1, rig.Graph.GraphRequests);

        rig.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(FakeUpdateGraph.PayloadOf("4.22.4", "multi"), (await rig.Provider.ResolveAsync("4.22.4", "stable", Cancellation))?.PullSpec);
        Assert.Equal(2, rig.Graph.GraphRequests);
    }

    [Fact]
    public async Task Each_channel_has_its_own_cache_entry()
    {
        await using var rig = await Rig.StartAsync();

        await rig.Provider.ResolveAsync("4.22.1", "stable", Cancellation);
        await rig.Provider.ResolveAsync("4.22.3", "fast", Cancellation);
        await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation);

        Assert.Equal(2, rig.Graph.GraphRequests);
    }

    [Fact]
    public async Task A_failed_refresh_serves_the_last_good_graph_with_a_warning_and_retries_later()
    {
        await using var rig = await Rig.StartAsync();
        var good = await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation);
        rig.Graph.OutageStatus = 503;
        rig.Time.Advance(Ttl);

        Assert.Equal(good, await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation));
        Assert.Equal(2, rig.Graph.GraphRequests);
        Assert.Contains(rig.Logs, line => line.Contains("serving the last good graph", StringComparison.Ordinal) && line.Contains("stable-4.22", StringComparison.Ordinal));

        // The outage is not asked again until the retry interval has passed.
        Assert.Equal(good, await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation));
        Assert.Equal(2, rig.Graph.GraphRequests);

        rig.Graph.OutageStatus = null;
        rig.Graph.Publish("4.22.4", "multi", "stable-4.22");
        rig.Time.Advance(RetryAfterFailure);
        Assert.NotNull(await rig.Provider.ResolveAsync("4.22.4", "stable", Cancellation));
        Assert.Equal(3, rig.Graph.GraphRequests);
    }

    [Fact]
    public async Task With_no_cached_graph_a_server_error_is_transient_and_the_next_call_asks_again()
    {
        await using var rig = await Rig.StartAsync();
        rig.Graph.OutageStatus = 503;

        var e = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation));
        Assert.True(e.Transient);
        Assert.Contains("HTTP 503", e.Message, StringComparison.Ordinal);

        rig.Graph.OutageStatus = null;
        Assert.NotNull(await rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation));
        Assert.Equal(2, rig.Graph.GraphRequests);
    }

    [Fact]
    public async Task With_no_cached_graph_an_unreachable_service_is_transient()
    {
        // Port 1 on loopback: nothing listens, so the connection is refused at once.
        await using var rig = await Rig.StartAsync(url: "http://127.0.0.1:1" + FakeUpdateGraph.GraphPath);

        var e = await Assert.ThrowsAsync<ProviderException>(() => rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation));

        Assert.True(e.Transient);
    }

    [Fact]
    public async Task Concurrent_callers_of_a_stale_channel_share_one_request()
    {
        await using var rig = await Rig.StartAsync();
        rig.Graph.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // All five join before the held answer can arrive, so a cache alone would not save requests.
        var calls = Enumerable.Range(0, 5).Select(_ => rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation)).ToList();
        rig.Graph.Hold.SetResult();
        var images = await Task.WhenAll(calls);

        Assert.All(images, image => Assert.Equal(FakeUpdateGraph.PayloadOf("4.22.2", "multi"), image?.PullSpec));
        Assert.Equal(1, rig.Graph.GraphRequests);
    }

    [Fact]
    public async Task A_caller_that_gives_up_does_not_fail_the_shared_fetch()
    {
        await using var rig = await Rig.StartAsync();
        rig.Graph.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var impatient = new CancellationTokenSource();

        var abandoned = rig.Provider.ResolveAsync("4.22.2", "stable", impatient.Token);
        var patient = rig.Provider.ResolveAsync("4.22.2", "stable", Cancellation);
        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        rig.Graph.Hold.SetResult();

        Assert.NotNull(await patient);
        Assert.Equal(1, rig.Graph.GraphRequests);
    }
}
