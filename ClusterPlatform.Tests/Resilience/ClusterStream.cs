using System.Collections.Concurrent;
using System.Diagnostics;
using Aspire.Hosting.Testing;
using ClusterPlatform.PubSub;
using ClusterPlatform.Tests.PubSub;
using Npgsql;

namespace ClusterPlatform.Tests.Resilience;

/// <summary>
/// A steady stream of cluster creates and deletes through the whole topology while a fault happens,
/// and what production needs afterwards: every cluster Ready, every deleted one gone (404), no
/// outbox row left unpublished, no event dead-lettered, and no Ready cluster ever read as not Ready
/// at the same generation (a watcher polls every Ready cluster until its delete begins). The calls
/// ride out the fault: a create is retried with its Idempotency-Key until the Api answers it, and a
/// read or delete that meets a dead Api or database is tried again.
/// </summary>
internal sealed class ClusterStream(ResilienceFixture topology, string prefix)
{
    /// <summary>How long one cluster may take to Ready or to gone, the fault's recovery included.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan WatchInterval = TimeSpan.FromMilliseconds(100);

    private readonly HttpClient client = topology.CreateClient();
    private readonly ConcurrentDictionary<string, Watched> watched = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> flips = new();
    private readonly ConcurrentBag<string> ids = [];
    private readonly ConcurrentBag<TimeSpan> toReady = [];

    private sealed class Watched(long generation)
    {
        public long Generation { get; } = generation;
        public volatile bool Deleting;
    }

    /// <summary>What a stream did, for the test's report.</summary>
    public sealed record Result(int Clusters, TimeSpan Total, TimeSpan MedianToReady, TimeSpan SlowestToReady, TimeSpan FaultTook)
    {
        public override string ToString() =>
            $"{Clusters} clusters in {Total.TotalSeconds:0.0} s; create->Ready median {MedianToReady.TotalSeconds:0.00} s, slowest {SlowestToReady.TotalSeconds:0.00} s; fault and recovery {FaultTook.TotalSeconds:0.0} s";
    }

    /// <summary>
    /// Creates <paramref name="count"/> clusters, one every <paramref name="interval"/>, and sets off
    /// <paramref name="fault"/> right after create number <paramref name="faultAfter"/>. Every other
    /// cluster is deleted as soon as it is Ready; the rest stay, watched, until the fault is over,
    /// and are deleted then.
    /// </summary>
    public async Task<Result> RunAsync(int count, TimeSpan interval, int faultAfter, Func<Task> fault, CancellationToken cancellationToken)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = Task.Run(() => WatchAsync(stopWatching.Token), CancellationToken.None);
        var total = Stopwatch.StartNew();
        var faultOver = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<TimeSpan>? faultTask = null;
        var lifecycles = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            lifecycles.Add(LifecycleAsync($"{prefix}-{i}-{Guid.NewGuid().ToString("N")[..6]}", holdUntil: i % 2 == 0 ? null : faultOver.Task));
            if (i + 1 == faultAfter)
            {
                faultTask = TimedAsync(fault);
                _ = faultTask.ContinueWith(_ => faultOver.TrySetResult(), TaskScheduler.Default);
            }

            await Task.Delay(interval, cancellationToken);
        }

        var faultTook = faultTask is null ? TimeSpan.Zero : await faultTask;
        faultOver.TrySetResult();
        await Task.WhenAll(lifecycles);
        await stopWatching.CancelAsync();
        await watcher;

        var sorted = toReady.Order().ToList();
        return new Result(count, total.Elapsed, sorted[sorted.Count / 2], sorted[^1], faultTook);
    }

    /// <summary>Everything production needs once the stream is through; call after <see cref="RunAsync"/>.</summary>
    public async Task AssertHealthyAftermathAsync(CancellationToken cancellationToken)
    {
        Assert.True(flips.IsEmpty, $"Ready clusters read as not Ready at the same generation:{Environment.NewLine}{string.Join(Environment.NewLine, flips)}");

        var connectionString = await topology.ConnectionStringAsync(cancellationToken);
        long unpublished = -1;
        await Wait.UntilAsync(async () => (unpublished = await UnpublishedAsync(connectionString, cancellationToken)) == 0,
            TimeSpan.FromSeconds(30), () => $"the relay to publish every outbox row ({unpublished} left)");

        using var connection = new PubSubConnection(new PubSubOptions
        {
            ProjectId = ResourceNames.LocalPubSubProject,
            EmulatorHost = topology.App.GetEndpoint(ResourceNames.PubSub, "http").Authority,
        });
        var inspect = PubSubAdmin.InspectionSubscriptionId(new PubSubOptions().DeadLetterTopic);
        var deadLetters = (await connection.PullNowAsync(inspect)).Select(m => m.Message.Data.ToStringUtf8()).ToList();
        var ours = deadLetters.Where(body => ids.Any(id => body.Contains(id, StringComparison.Ordinal))).ToList();
        Assert.True(ours.Count == 0, $"{ours.Count} of this stream's events were dead-lettered:{Environment.NewLine}{string.Join(Environment.NewLine, ours)}");
    }

    private async Task LifecycleAsync(string name, Task? holdUntil)
    {
        var created = await CreateAsync(name);
        var href = created["href"].Text();
        ids.Add(created["id"].Text());
        var started = Stopwatch.StartNew();
        var ready = await UntilAsync(href, read => read is { } r && r["status"]!["phase"].Text() == "Ready", "Ready");
        toReady.Add(started.Elapsed);
        var entry = new Watched((long)ready!["generation"]!);
        watched[href] = entry;
        if (holdUntil is not null)
        {
            await holdUntil;
        }

        entry.Deleting = true;
        await DeleteAsync(href);
        watched.TryRemove(href, out _);
        await UntilAsync(href, read => read is null, "gone (404)");
    }

    private async Task<JsonObject> CreateAsync(string name)
    {
        var key = Guid.NewGuid().ToString();
        JsonObject? created = null;
        string last = "";
        await Wait.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.Clusters) { Content = Bodies.Json(Bodies.Cluster(name)) };
            request.Headers.Add("Idempotency-Key", key);
            (var status, created) = await SendAsync(request);
            last = status?.ToString() ?? "no answer";
            return status is HttpStatusCode.Created or HttpStatusCode.OK;
        }, Patience, () => $"the create of {name} to be answered (last: {last}){Environment.NewLine}{Logs()}");
        return created!;
    }

    private async Task DeleteAsync(string href)
    {
        string last = "";
        await Wait.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, href);
            var (status, _) = await SendAsync(request);
            last = status?.ToString() ?? "no answer";
            return status is HttpStatusCode.Accepted or HttpStatusCode.NoContent or HttpStatusCode.NotFound;
        }, Patience, () => $"the delete of {href} to be accepted (last: {last})");
    }

    /// <summary>Reads <paramref name="href"/> until <paramref name="done"/> holds; a 404 reads as null.</summary>
    private async Task<JsonObject?> UntilAsync(string href, Func<JsonObject?, bool> done, string what)
    {
        JsonObject? last = null;
        string lastStatus = "";
        await Wait.UntilAsync(async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, href);
            var (status, body) = await SendAsync(request);
            lastStatus = status?.ToString() ?? "no answer";
            if (status == HttpStatusCode.NotFound)
            {
                last = null;
                return done(null);
            }

            if (status != HttpStatusCode.OK)
            {
                return false;
            }

            last = body;
            return done(body);
        }, Patience, () => $"{href} to be {what}; last: {lastStatus} {last?["status"]?.ToJsonString()}{Environment.NewLine}{Logs()}");
        return last;
    }

    // Every Ready cluster, polled until its delete begins: a read that is not Ready at the same
    // generation is a flip, unless the delete began while the read was under way.
    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            foreach (var (href, entry) in watched)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, href);
                var (status, body) = await SendAsync(request);
                if (status == HttpStatusCode.OK && !entry.Deleting
                    && (long)body!["generation"]! == entry.Generation && body["status"]!["phase"].Text() != "Ready")
                {
                    flips.Enqueue($"{href}: {body["status"]!.ToJsonString()}");
                }
            }

            try
            {
                await Task.Delay(WatchInterval, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>The status and body of a call; no status when the Api did not answer (killed, restarting).</summary>
    private async Task<(HttpStatusCode? Status, JsonObject? Body)> SendAsync(HttpRequestMessage request)
    {
        try
        {
            using var response = await client.SendAsync(request);
            var body = response.Content.Headers.ContentType?.MediaType == "application/json" ? await response.ReadObjectAsync() : null;
            return (response.StatusCode, body);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            return (null, null);
        }
    }

    private static async Task<long> UnpublishedAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT count(*) FROM outbox WHERE published_at IS NULL", connection);
            return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }
        catch (NpgsqlException)
        {
            return -1;
        }
    }

    private string Logs() => $"{topology.RecentLogs(ResourceNames.Api)}{Environment.NewLine}{topology.RecentLogs(ResourceNames.Controllers)}";

    private static async Task<TimeSpan> TimedAsync(Func<Task> fault)
    {
        var watch = Stopwatch.StartNew();
        await fault();
        return watch.Elapsed;
    }
}
