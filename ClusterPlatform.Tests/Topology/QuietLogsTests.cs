using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ClusterPlatform.Tests.Topology;

/// <summary>
/// What the Api and the Controllers log at Information (their configured level) while clusters are
/// created to Ready and deleted to gone through the whole topology: one line per request from the
/// Api, one per handled event from the controllers, none for a passing health probe, and none of the
/// per-call chatter of HttpClient and Polly, which is what filled the Controllers' log before.
/// </summary>
public sealed partial class QuietLogsTests(TopologyFixture topology) : IClassFixture<TopologyFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private const int Clusters = 3;

    // Categories that log each outgoing call or attempt; Warning and above from them is wanted.
    private static readonly string[] PerCallCategories = ["System.Net.Http.HttpClient", "Polly", "Microsoft.Extensions.Http.Resilience", "Microsoft.Extensions.Resilience"];

    // The controllers' one line per handled event comes from their own classes.
    private const string HandlerCategories = "ClusterPlatform.Controllers.Controllers.";

    // Lines not tied to a request or an event that may fall inside the window: a subscription's
    // stream ended and reconnecting, the scheduler's or purge's tick, a relay state change.
    private const int OtherInformationAllowed = 8;

    [Fact]
    public async Task Creates_and_deletes_log_one_information_line_per_request_and_per_handled_event_and_no_per_call_chatter()
    {
        await topology.WaitUntilHealthyAsync(Cancellation);
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Cancellation);
        var apiLog = Watch(ResourceNames.Api, stopWatching.Token);
        var controllersLog = Watch(ResourceNames.Controllers, stopWatching.Token);
        using var client = topology.App.CreateHttpClient(ResourceNames.Api);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TopologyFixture.CreateUserToken("acme"));

        // Every request of this test carries its own request id, which the Api's request line echoes;
        // the first one also shows that the watch sees the Api's output.
        var requestIds = new List<string>();
        async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null)
        {
            var requestId = $"quiet-logs-{requestIds.Count}-{Guid.NewGuid():N}";
            requestIds.Add(requestId);
            using var request = new HttpRequestMessage(method, path) { Content = content };
            request.Headers.Add("X-Request-Id", requestId);
            return await client.SendAsync(request, Cancellation);
        }

        (await SendAsync(HttpMethod.Get, "/api/v1/clusters")).Dispose();
        await Wait.UntilAsync(() => Task.FromResult(apiLog.Lines.Any(l => l.Contains(requestIds[0], StringComparison.Ordinal))), Patience,
            () => $"the Api's request line for {requestIds[0]} in its log:{Environment.NewLine}{apiLog.Tail()}");

        // A passing health probe (GKE sends one every 5 to 10 s) logs at Debug; the lines of the
        // requests after it show that it would have been seen.
        var probeId = $"quiet-logs-probe-{Guid.NewGuid():N}";
        using (var probe = new HttpRequestMessage(HttpMethod.Get, "/health"))
        {
            probe.Headers.Add("X-Request-Id", probeId);
            using var healthy = await client.SendAsync(probe, Cancellation);
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        }

        var hrefs = new List<string>();
        var ids = new List<string>();
        for (var i = 0; i < Clusters; i++)
        {
            using var created = await SendAsync(HttpMethod.Post, "/api/v1/clusters", Bodies.Json(Bodies.Cluster(ApiCalls.Unique("quiet"))));
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var cluster = await created.ReadObjectAsync();
            hrefs.Add(cluster["href"].Text());
            ids.Add(cluster["id"].Text());
        }

        foreach (var href in hrefs)
        {
            await UntilAsync(SendAsync, href, (status, body) => status == HttpStatusCode.OK && body.Contains("\"phase\":\"Ready\"", StringComparison.Ordinal), "Ready");
        }

        foreach (var href in hrefs)
        {
            using var deleted = await SendAsync(HttpMethod.Delete, href);
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        }

        foreach (var href in hrefs)
        {
            await UntilAsync(SendAsync, href, (status, _) => status == HttpStatusCode.NotFound, "gone");
        }

        // The controllers handle every event of these clusters before the last one is gone, but their
        // log lines reach the watch a moment later: wait until each controller's line count settles
        // on at least one line per cluster and controller.
        var connectionString = (await topology.App.GetConnectionStringAsync(ResourceNames.Database, Cancellation))!;
        var events = await OutboxEventsAsync(connectionString, ids);
        await Wait.UntilAsync(() => Task.FromResult(controllersLog.Entries().Count(e => e.Level == "info" && e.Category.StartsWith(HandlerCategories, StringComparison.Ordinal)
                && ids.Any(id => e.Message.Contains(id, StringComparison.Ordinal))) >= Clusters * 4), Patience,
            () => $"a handled-event line per cluster and controller in the Controllers' log:{Environment.NewLine}{controllersLog.Tail()}");
        // The Api's request lines lag behind its responses the same way: wait until every request has one.
        await Wait.UntilAsync(() => Task.FromResult(requestIds.All(id => apiLog.Lines.Any(l => l.Contains(id, StringComparison.Ordinal)))), Patience,
            () => $"a line for each of the test's requests in the Api's log:{Environment.NewLine}{apiLog.Tail()}");
        await stopWatching.CancelAsync();

        // The window: from the first line about one of these clusters on (the Controllers' startup
        // lines come before it).
        var controllerEntries = controllersLog.Entries();
        var first = controllerEntries.FindIndex(e => ids.Any(id => e.Message.Contains(id, StringComparison.Ordinal)));
        Assert.True(first >= 0, $"No Controllers log line names the clusters:{Environment.NewLine}{controllersLog.Tail()}");
        var window = controllerEntries[first..].Where(e => e.Level == "info").ToList();
        var apiEntries = apiLog.Entries();
        var apiWindow = apiEntries[apiEntries.FindIndex(e => e.Message.Contains(requestIds[0], StringComparison.Ordinal))..].Where(e => e.Level == "info").ToList();

        Assert.Empty(window.Concat(apiWindow).Where(e => PerCallCategories.Any(c => e.Category.StartsWith(c, StringComparison.Ordinal))).Select(e => $"{e.Category}: {e.Message}"));

        // At most one line per delivered event: each event goes to every controller's subscription.
        var handled = window.Where(e => e.Category.StartsWith(HandlerCategories, StringComparison.Ordinal)).ToList();
        Assert.True(handled.Count <= events * 4, $"{handled.Count} handled-event lines for {events} events to 4 controllers:{Environment.NewLine}{string.Join(Environment.NewLine, handled.Select(e => e.Message))}");
        var other = window.Except(handled).Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(other.Count <= OtherInformationAllowed, $"Other Information lines of the Controllers:{Environment.NewLine}{string.Join(Environment.NewLine, other)}");

        // The Api: exactly one line for each of this test's requests, and little else besides request lines.
        Assert.All(requestIds, id => Assert.Single(apiWindow, e => e.Message.Contains(id, StringComparison.Ordinal)));
        Assert.DoesNotContain(apiWindow, e => e.Message.Contains(probeId, StringComparison.Ordinal));
        var apiOther = apiWindow.Where(e => e.Category != "ClusterPlatform.Api.Requests").Select(e => $"{e.Category}: {e.Message}").ToList();
        Assert.True(apiOther.Count <= OtherInformationAllowed, $"Other Information lines of the Api:{Environment.NewLine}{string.Join(Environment.NewLine, apiOther)}");
    }

    private static async Task UntilAsync(Func<HttpMethod, string, HttpContent?, Task<HttpResponseMessage>> send, string href, Func<HttpStatusCode, string, bool> done, string what)
    {
        var last = "";
        await Wait.UntilAsync(async () =>
        {
            using var response = await send(HttpMethod.Get, href, null);
            var body = await response.Content.ReadAsStringAsync(Cancellation);
            last = $"{(int)response.StatusCode} {body}";
            return done(response.StatusCode, body);
        }, Patience, () => $"{href} to be {what}; last seen: {last}");
    }

    private static async Task<long> OutboxEventsAsync(string connectionString, IEnumerable<string> clusterIds)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Cancellation);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM outbox WHERE cluster_id = ANY(@ids)", connection);
        command.Parameters.AddWithValue("ids", clusterIds.Select(Guid.Parse).ToArray());
        return (long)(await command.ExecuteScalarAsync(Cancellation))!;
    }

    private ResourceLog Watch(string resourceName, CancellationToken stop) => new(topology.WatchLog(resourceName, stop));

    private sealed record Entry(string Level, string Category, string Message);

    private sealed class ResourceLog(ConcurrentQueue<string> lines)
    {
        public ConcurrentQueue<string> Lines { get; } = lines;

        /// <summary>
        /// The console logger's entries: a "level: category[event id]" line, then the message on the
        /// lines indented under it (the simple formatter's layout, colours stripped).
        /// </summary>
        public List<Entry> Entries()
        {
            var entries = new List<Entry>();
            foreach (var raw in Lines)
            {
                var line = AnsiEscape().Replace(raw, "");
                if (EntryStart().Match(line) is { Success: true } start)
                {
                    entries.Add(new Entry(start.Groups["level"].Value, start.Groups["category"].Value, ""));
                }
                else if (entries.Count > 0)
                {
                    entries[^1] = entries[^1] with { Message = $"{entries[^1].Message}{line.Trim()} " };
                }
            }

            return entries;
        }

        public string Tail() => string.Join(Environment.NewLine, Lines.TakeLast(60));
    }

    [GeneratedRegex(@"\x1B\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^(?:\S+\s+)?(?<level>trce|dbug|info|warn|fail|crit): (?<category>[^\[\s]+)\[")]
    private static partial Regex EntryStart();
}
