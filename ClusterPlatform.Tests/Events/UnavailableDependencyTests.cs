extern alias controllers;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net.Sockets;
using System.Text;
using ClusterPlatform.PubSub;
using controllers::ClusterPlatform.Controllers.Api;
using controllers::ClusterPlatform.Controllers.Hosting;
using controllers::ClusterPlatform.Controllers.Providers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ClusterPlatform.Tests.Events.ControllerTopology;
using static ClusterPlatform.Tests.PubSub.PubSubTestKit;

namespace ClusterPlatform.Tests.Events;

/// <summary>
/// A controller's subscription worker against the real emulator, whose handler reads the cluster
/// from a real HTTP server playing the Api. While that Api is unavailable the event is held (no
/// redelivery, no delivery attempt spent, nothing dead-lettered) and handled once it answers; an
/// event that fails for its own reasons is still nacked and redelivered.
/// </summary>
public sealed class UnavailableDependencyTests(PubSubEmulator emulator) : IAsyncDisposable
{
    // Longer than the 10 s ack deadline, so the message survives only if its lease is extended.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(12);

    private readonly ConcurrentQueue<string> logLines = new();
    private readonly List<IAsyncDisposable> disposables = [];

    [Fact]
    public async Task An_event_is_held_through_an_Api_outage_longer_than_its_ack_deadline_and_handled_on_its_first_delivery()
    {
        var outageStarted = new Lazy<Stopwatch>(Stopwatch.StartNew, isThreadSafe: true);
        var run = await StartAsync(() => outageStarted.Value.Elapsed < Outage ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status404NotFound,
            new ControllerOptions());

        await run.WaitUntilHandledAsync(TimeSpan.FromSeconds(60));
        await run.Worker.StopAsync(Cancellation);

        Assert.True(run.Tries.Count >= 2, $"tries: {run.Tries.Count}");
        Assert.All(run.Tries, attempt => Assert.Equal(1, attempt));
        Assert.Contains(run.Api.Log, line => line.EndsWith("-> 503", StringComparison.Ordinal));
        Assert.EndsWith("-> 404", run.Api.Log[^1], StringComparison.Ordinal);
        Assert.Single(logLines, line => line.Contains("holding the message", StringComparison.Ordinal));
        Assert.Single(logLines, line => line.Contains("succeeded after holding it", StringComparison.Ordinal));
        Assert.DoesNotContain(logLines, line => line.Contains("nacking", StringComparison.Ordinal));
        // Acked, and nothing went to the dead-letter topic.
        Assert.Empty(await run.Connection.PullNowAsync(Controller));
        Assert.Empty(await run.Connection.PullNowAsync(PubSubAdmin.InspectionSubscriptionId(run.PubSub.DeadLetterTopic)));
    }

    [Fact]
    public async Task An_event_the_Api_rejects_is_nacked_and_redelivered_as_before()
    {
        var requests = 0;
        var run = await StartAsync(() => Interlocked.Increment(ref requests) == 1 ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound,
            new ControllerOptions());

        await run.WaitUntilHandledAsync(Patience);
        await run.Worker.StopAsync(Cancellation);

        Assert.Equal([1, 2], run.Tries);
        Assert.DoesNotContain(logLines, line => line.Contains("holding", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_outage_longer_than_the_bound_nacks_the_event_after_the_bound()
    {
        var run = await StartAsync(() => StatusCodes.Status503ServiceUnavailable, new ControllerOptions { HoldUnavailableFor = TimeSpan.FromSeconds(2) });

        await Wait.UntilAsync(() => Task.FromResult(run.Tries.Contains(2)), Patience, () => $"a redelivery (tries: {string.Join(", ", run.Tries)})");
        await run.Worker.StopAsync(Cancellation);

        Assert.Contains(logLines, line => line.Contains("giving up and nacking it", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_releases_a_held_event_at_once_instead_of_waiting_out_the_grace_period()
    {
        var grace = TimeSpan.FromSeconds(20);
        var run = await StartAsync(() => StatusCodes.Status503ServiceUnavailable, new ControllerOptions { ShutdownGracePeriod = grace });
        await Wait.UntilAsync(() => Task.FromResult(logLines.Any(line => line.Contains("holding the message", StringComparison.Ordinal))),
            Patience, "the event to be held");

        var stopping = Stopwatch.StartNew();
        await run.Worker.StopAsync(Cancellation);

        Assert.True(stopping.Elapsed < grace / 2, $"stopping took {stopping.Elapsed.TotalSeconds:0.0} s");
        Assert.Contains(logLines, line => line.Contains("stopping; releasing the message", StringComparison.Ordinal));
        // Nacked: available to another replica at once.
        Assert.Single(await run.Connection.PullNowAsync(Controller));
    }

    [Fact]
    public async Task A_held_event_keeps_its_slot_so_no_more_than_MaxConcurrency_events_are_handled_or_held_at_once()
    {
        var outageStarted = new Lazy<Stopwatch>(Stopwatch.StartNew, isThreadSafe: true);
        var run = await StartAsync(() => outageStarted.Value.Elapsed < TimeSpan.FromSeconds(4) ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status404NotFound,
            new ControllerOptions { MaxConcurrency = 1 }, events: 2);

        await Wait.UntilAsync(() => Task.FromResult(run.Handler.HandledCount == 2), Patience, () => $"both events handled (tries: {string.Join(", ", run.Handler.Tries)})");
        await run.Worker.StopAsync(Cancellation);

        // The first event was held through the outage; the second was not even tried until it was done.
        var clusters = run.Handler.Tries.Select(t => t.ClusterId).ToList();
        var held = clusters.TakeWhile(id => id == clusters[0]).Count();
        Assert.True(held >= 2 && clusters.Count == held + 1 && clusters[^1] != clusters[0], $"tries, in order: {string.Join(", ", clusters)}");
    }

    [Fact]
    public async Task Unavailable_means_no_answer_a_gateway_or_throttling_status_or_a_transient_provider_failure()
    {
        using var http = new HttpClient();
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{ClosedPort()}/", Cancellation));

        Assert.True(UnavailableDependencyHold.IsUnavailable(refused));
        Assert.True(UnavailableDependencyHold.IsUnavailable(new HttpRequestException("", null, System.Net.HttpStatusCode.ServiceUnavailable)));
        Assert.True(UnavailableDependencyHold.IsUnavailable(new HttpRequestException("", null, System.Net.HttpStatusCode.TooManyRequests)));
        Assert.True(UnavailableDependencyHold.IsUnavailable(new ProviderException("throttled", transient: true)));
        Assert.False(UnavailableDependencyHold.IsUnavailable(new HttpRequestException("", null, System.Net.HttpStatusCode.InternalServerError)));
        Assert.False(UnavailableDependencyHold.IsUnavailable(new HttpRequestException("", null, System.Net.HttpStatusCode.Forbidden)));
        Assert.False(UnavailableDependencyHold.IsUnavailable(new ProviderException("no managed zone", transient: false)));
        Assert.False(UnavailableDependencyHold.IsUnavailable(new InvalidOperationException()));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var disposable in Enumerable.Reverse(disposables))
        {
            await disposable.DisposeAsync();
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port; // closed again when disposed
    }

    /// <summary>The topology, an Api answering <paramref name="status"/> for the cluster, and a started worker with one event published.</summary>
    private async Task<Run> StartAsync(Func<int> status, ControllerOptions options, int events = 1)
    {
        options.AckDeadline = ShortestAckDeadline;
        if (options.ShutdownGracePeriod == new ControllerOptions().ShutdownGracePeriod)
        {
            options.ShutdownGracePeriod = TimeSpan.FromSeconds(5);
        }

        var connection = emulator.Connect();
        var topology = await EnsureAsync(connection, options);

        var api = await LocalApiServer.StartAsync(app => app.MapGet("/api/v1/clusters/{id:guid}", () => Results.StatusCode(status())));
        disposables.Add(api);
        var services = new ServiceCollection().AddMetrics();
        services.AddHttpClient(ControllerApiClient.HttpClientName, client => client.BaseAddress = api.BaseAddress);
        var provider = services.BuildServiceProvider();
        disposables.Add(provider);
        var loggers = LoggerFactory.Create(logging => logging.AddProvider(new CapturingLoggerProvider(logLines, typeof(SubscriptionWorker).FullName)));
        var publisher = new PubSubPublisher(connection);
        disposables.Add(publisher);
        var handler = new ClusterReadingHandler(new ControllerApiClient(provider.GetRequiredService<IHttpClientFactory>(), new NoControllerTokens()));
        var worker = topology.Worker(handler, publisher, provider.GetRequiredService<IMeterFactory>(), loggers);
        var published = Enumerable.Range(0, events)
            .Select(_ => new ClusterEvent(Guid.CreateVersion7(), EventTypes.ClusterCreated, Guid.CreateVersion7(), null, 1))
            .Select(e => Message(Encoding.UTF8.GetString(e.ToJsonUtf8()), (EventAttributes.Type, e.Type)));
        await publisher.PublishAsync(EventsTopic, [.. published], Cancellation);
        await worker.StartAsync(Cancellation);
        disposables.Add(new Stop(worker, handler, connection, loggers));
        return new Run(worker, connection, topology.PubSub, api, handler);
    }

    private sealed record Run(SubscriptionWorker Worker, PubSubConnection Connection, PubSubOptions PubSub, LocalApiServer Api, ClusterReadingHandler Handler)
    {
        /// <summary>The delivery attempt each try of the handler saw, in order.</summary>
        public IReadOnlyList<int> Tries => [.. Handler.Tries.Select(t => t.DeliveryAttempt)];

        public Task WaitUntilHandledAsync(TimeSpan patience) =>
            Wait.UntilAsync(() => Task.FromResult(Handler.Handled), patience, () => $"the event handled (tries: {string.Join(", ", Tries)}; Api: {string.Join(", ", Api.Log)})");
    }

    /// <summary>
    /// Reads the event's cluster from the Api, as every controller does first; a 404 ends the handling.
    /// Handlers are not told the delivery attempt (no controller needs it), so each try reads it from
    /// the span the subscriber opened for the delivery, which its listener samples.
    /// </summary>
    private sealed class ClusterReadingHandler : IClusterEventHandler, IDisposable
    {
        private const string DeliveryAttemptTag = "messaging.gcp_pubsub.message.delivery_attempt";

        private readonly ControllerApiClient api;
        private readonly ActivityListener deliveries;
        private int handled;

        public ClusterReadingHandler(ControllerApiClient api)
        {
            this.api = api;
            deliveries = new ActivityListener
            {
                ShouldListenTo = source => source.Name == PubSubExtensions.ActivitySourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            };
            ActivitySource.AddActivityListener(deliveries);
        }

        public string ControllerName => Controller;

        /// <summary>Each call, in order: the event's cluster and the delivery attempt it saw.</summary>
        public ConcurrentQueue<(Guid ClusterId, int DeliveryAttempt)> Tries { get; } = new();

        public int HandledCount => Volatile.Read(ref handled);

        public bool Handled => HandledCount > 0;

        public async Task HandleAsync(ClusterEvent clusterEvent, CancellationToken ct)
        {
            var delivery = Activity.Current?.GetTagItem(DeliveryAttemptTag) ?? throw new InvalidOperationException("no delivery span around the handler");
            Tries.Enqueue((clusterEvent.ClusterId, (int)delivery));
            _ = await api.GetClusterAsync(Controller, clusterEvent.ClusterId, ct);
            Interlocked.Increment(ref handled);
        }

        public void Dispose() => deliveries.Dispose();
    }

    private sealed class Stop(SubscriptionWorker worker, ClusterReadingHandler handler, PubSubConnection connection, ILoggerFactory loggers) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await worker.StopAsync(CancellationToken.None);
            worker.Dispose();
            handler.Dispose();
            connection.Dispose();
            loggers.Dispose();
        }
    }
}
