using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using ClusterPlatform.Api.Events;
using ClusterPlatform.Tests.Api.Conformance;
using ClusterPlatform.Tests.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// The database goes away. Requests are answered 503 with <c>Retry-After</c> and a problem
/// body (they were 500 <c>internal-error</c>), each logged as one warning line without a stack trace;
/// when the database is back, requests succeed again and the relay, which had backed off, publishes
/// a new write's event within a second or two rather than after its backoff.
/// </summary>
public sealed class DatabaseOutageTests(DatabaseOutageTests.OwnDatabaseApiServer api) : IClassFixture<DatabaseOutageTests.OwnDatabaseApiServer>
{
    /// <summary>An Api over a PostgreSQL of its own, which the test stops and starts; every log line is kept.</summary>
    public sealed class OwnDatabaseApiServer : ApiServer
    {
        private readonly ConcurrentQueue<string> logs = new();

        public OwnDatabaseApiServer(PubSubEmulator emulator)
            : this(new PostgresServer(), emulator)
        {
        }

        private OwnDatabaseApiServer(PostgresServer database, PubSubEmulator emulator)
            : base(database, emulator) => Database = database;

        public PostgresServer Database { get; }

        public IReadOnlyCollection<string> Logs => logs;

        protected override Task BeforeStartAsync() => Database.InitializeAsync().AsTask();

        protected override Task AfterStopAsync() => Database.DisposeAsync().AsTask();

        protected override void ConfigureWebHost(IWebHostBuilder web) =>
            web.ConfigureServices(services => services.AddLogging(logging => logging.AddProvider(
                new CapturingLoggerProvider(logs, format: (category, line) => $"{category}: {line}"))));
    }

    // With the relay's former backoff (doubling from 200 ms, wake-ups ignored), an outage that cost
    // each of its two loops this many attempts left it asleep for 6–13 s after the database returned.
    private const int RelayFailuresToWaitFor = 14;

    [Fact]
    public async Task Requests_are_503_with_Retry_After_while_the_database_is_down_and_succeed_and_publish_promptly_once_it_is_back()
    {
        var client = api.As("user", ApiCalls.Unique("org"));
        var before = await client.CreateClusterAsync("before-outage");
        await EventCollector.WaitUntilRelayedAsync(api);
        var document = await api.Anonymous().GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken);
        var validator = new OpenApiDocumentValidator(JsonDocument.Parse(document).RootElement);
        var recorder = new ExchangeRecorder();
        using var relayFailures = RelayFailures();

        await api.Database.StopAsync();
        try
        {
            await recorder.SendAsync(client, HttpMethod.Get, ApiCalls.Clusters);
            await recorder.SendAsync(client, HttpMethod.Get, before["href"].Text());
            await recorder.SendAsync(client, HttpMethod.Post, ApiCalls.Clusters, Bodies.Cluster("during-outage"));
            foreach (var (exchange, _) in recorder.Exchanges)
            {
                var what = $"{exchange.Method} {exchange.PathAndQuery}";
                Assert.True(exchange.Status == 503, $"{what}: {exchange.Status} {exchange.ResponseBody}");
                Assert.True(int.Parse(exchange.ResponseHeaders["Retry-After"], System.Globalization.CultureInfo.InvariantCulture) >= 1, what);
                Assert.Equal("service-unavailable", JsonNode.Parse(exchange.ResponseBody)!["code"].Text());
                // Declared by the document, with its Retry-After and problem body.
                Assert.Equal([], validator.ResponseViolations(exchange));
                Assert.Equal([], validator.RequestViolations(exchange));
            }

            using (var health = await api.Anonymous().GetAsync("/health", TestContext.Current.CancellationToken))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            }

            var warnings = api.Logs.Where(l => l.Contains("Database unavailable on", StringComparison.Ordinal)).ToList();
            Assert.Equal(recorder.Exchanges.Count, warnings.Count);
            Assert.All(warnings, w => Assert.DoesNotContain("   at ", w, StringComparison.Ordinal));
            Assert.DoesNotContain(api.Logs, l => l.Contains("Unhandled error", StringComparison.Ordinal));

            // Long enough for the relay's backoff to have grown well past the bound asserted below.
            await Wait.UntilAsync(() => Task.FromResult(relayFailures.Count >= RelayFailuresToWaitFor), TimeSpan.FromSeconds(60),
                () => $"the relay to fail {RelayFailuresToWaitFor} times (it failed {relayFailures.Count})");
        }
        finally
        {
            await api.Database.StartAsync();
            // The test's own pooled connections (the outbox reads) were to the server that stopped.
            using var stale = new NpgsqlConnection(api.ConnectionString);
            NpgsqlConnection.ClearPool(stale);
        }

        var back = Stopwatch.StartNew();
        await Wait.UntilAsync(async () =>
        {
            using var list = await client.GetAsync(ApiCalls.Clusters);
            return list.StatusCode == HttpStatusCode.OK;
        }, TimeSpan.FromSeconds(30), "a read to succeed after the database is back");
        var readBack = back.Elapsed;

        // A write after the recovery: its event is published within a probe, not after the relay's backoff.
        JsonObject? created = null;
        var key = Guid.NewGuid().ToString("N");
        await Wait.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = Bodies.Json(Bodies.Cluster("after-outage")) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.ServiceUnavailable, $"create after the outage: {response.StatusCode}");
            created = response.StatusCode == HttpStatusCode.Created ? await response.ReadObjectAsync() : null;
            return created is not null;
        }, TimeSpan.FromSeconds(30), "a create to succeed after the database is back");
        var written = Stopwatch.StartNew();
        var clusterId = Guid.Parse(created!["id"].Text());
        await Wait.UntilAsync(async () => (await EventCollector.OutboxAsync(api)).Any(e => e.ClusterId == clusterId && e.Published),
            TimeSpan.FromSeconds(30), "the new cluster's event to be published");
        var published = written.Elapsed;

        TestContext.Current.TestOutputHelper?.WriteLine(
            $"relay failures during the outage: {relayFailures.Count}; first read OK {readBack.TotalMilliseconds:0} ms after the database was back; " +
            $"the new write's event published {published.TotalMilliseconds:0} ms after its 201");
        Assert.True(published < TimeSpan.FromSeconds(5), $"the event took {published.TotalMilliseconds:0} ms to be published");
        await EventCollector.WaitUntilRelayedAsync(api);
    }

    /// <summary>Counts this Api's relay failures (<c>outbox.publish.failures</c>), not those of other Apis in the process.</summary>
    private Counter RelayFailures()
    {
        var meters = api.Services.GetRequiredService<IMeterFactory>();
        var counter = new Counter();
        counter.Listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OutboxMetrics.MeterName && instrument.Name == "outbox.publish.failures" && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        counter.Listener.SetMeasurementEventCallback<long>((_, value, _, _) => counter.Add(value));
        counter.Listener.Start();
        return counter;
    }

    private sealed class Counter : IDisposable
    {
        private long total;

        public MeterListener Listener { get; } = new();

        public long Count => Interlocked.Read(ref total);

        public void Add(long value) => Interlocked.Add(ref total, value);

        public void Dispose() => Listener.Dispose();
    }
}
