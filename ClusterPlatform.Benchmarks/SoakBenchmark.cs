using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ClusterPlatform.PubSub;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>How long the soak runs, how busy its active stretches are and how long it idles between them.</summary>
internal sealed record SoakSettings(TimeSpan Duration, TimeSpan Active, TimeSpan Idle, int CreatesPerMinute)
{
    /// <summary>Creates this soon after an idle gap ends are reported apart from the steady ones.</summary>
    public static readonly TimeSpan AfterIdleWindow = TimeSpan.FromSeconds(10);

    /// <summary>A cluster not Ready this long after its create is lost; one not gone this long after its delete is stuck.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);
}

/// <summary>The resident memory of the services at one moment of the soak, in MB (null: not running).</summary>
internal sealed record RssSample(double AtSeconds, string Phase, double? ApiMb, double? ControllersMb, double? EmulatorMb);

/// <summary>What a service wrote to its console during the soak, at Information.</summary>
internal sealed record LogVolume(string Process, ConsoleOutput Output);

/// <summary>One active stretch: when it began, whether an idle gap came before it, and how its creates fared.</summary>
internal sealed record StretchResult(int Index, double StartSeconds, bool AfterGap, int Created, int Lost, LatencySummary? Ready);

internal sealed record SoakResult(
    SoakSettings Settings,
    int IdleGaps,
    int Created,
    LatencySummary? Steady,
    LatencySummary? AfterIdle,
    LatencySummary? DeleteToGone,
    IReadOnlyList<StretchResult> Stretches,
    int Lost,
    int Stuck,
    int Errors,
    long UnpublishedOutboxRows,
    long DeadLetters,
    IReadOnlyList<RssSample> Rss,
    IReadOnlyList<LogVolume> Logs);

/// <summary>
/// A steady stream of creates through the whole topology (the Api, the relay, the emulator and the
/// four controllers on zero-latency simulated providers, the reconcile sweep out of reach) in
/// active stretches separated by idle gaps longer than the emulator's ~100 s idle limit, then a
/// delete of every cluster. It times create to Ready (apart for the creates right after a gap) and
/// delete to gone, samples the services' resident memory, and counts at the end what went missing:
/// clusters never Ready, clusters never gone, outbox rows never published and dead letters.
/// </summary>
internal static class SoakBenchmark
{
    private static readonly TimeSpan RssEvery = TimeSpan.FromSeconds(15);
    // Deletes go out at a steady rate, each waited for on its own, so that stuck ones (a wait of
    // SoakSettings.Patience each) do not hold up the rest.
    private static readonly TimeSpan DeleteEvery = TimeSpan.FromMilliseconds(250);

    // Fine-grained while a create is expected to finish, then gentler, so that clusters held up for
    // tens of seconds (the idle cliff) do not load the Api with reads of their own.
    private static TimeSpan PollAfter(TimeSpan waited) => TimeSpan.FromMilliseconds(waited < TimeSpan.FromSeconds(2) ? 20 : 250);

    private sealed record Timed(int Stretch, Uri? Href, double? ReadyMs, bool AfterIdle, bool Failed)
    {
        public bool Lost => Href is not null && ReadyMs is null && !Failed;
    }

    public static async Task<SoakResult> RunAsync(BenchmarkEnvironment environment, SoakSettings settings, IReadOnlyDictionary<string, string> controllerSettings)
    {
        await environment.StartControllersAsync(controllerSettings);
        var logsAtStart = Logs(environment);
        using var client = environment.Client("soak");
        await MakeRoomAsync(environment, (int)Math.Ceiling(settings.Duration.TotalMinutes * settings.CreatesPerMinute));
        var clock = Stopwatch.StartNew();
        var phase = "active";
        using var sampling = new CancellationTokenSource();
        var rss = new List<RssSample>();
        var sampler = SampleAsync(environment, clock, () => phase, rss, sampling.Token);

        var segments = Schedule(settings);
        Console.Error.WriteLine($"soak: {settings.CreatesPerMinute} creates/min for {settings.Duration.TotalMinutes:0.#} min, " +
            $"{segments.Count(s => s.AfterGap)} idle gap(s) of {settings.Idle.TotalSeconds:0} s…");
        var creates = new List<Task<Timed>>();
        var interval = TimeSpan.FromMinutes(1) / settings.CreatesPerMinute;
        foreach (var ((start, end, afterGap), stretch) in segments.Select((segment, i) => (segment, i)))
        {
            phase = afterGap ? "idle" : phase;
            await Until(clock, start);
            phase = "active";
            for (var at = start; at < end; at += interval)
            {
                await Until(clock, at);
                creates.Add(CreateAsync(client, $"soak-{creates.Count}", stretch, afterGap && at - start < SoakSettings.AfterIdleWindow));
            }
        }

        phase = "settling";
        var timed = await Task.WhenAll(creates);
        Console.Error.WriteLine($"soak: {timed.Length} creates done at {clock.Elapsed:m\\:ss}; deleting…");

        phase = "deleting";
        var deleting = new List<Task<(double? GoneMs, bool Failed)>>();
        foreach (var href in timed.Where(t => t.Href is not null).Select(t => t.Href!))
        {
            deleting.Add(DeleteAsync(client, href));
            await Task.Delay(DeleteEvery);
        }

        var deletes = await Task.WhenAll(deleting);

        phase = "end";
        var unpublished = await UnpublishedAsync(environment);
        var deadLetters = await SubscriptionDrain.DrainAsync(environment, [PubSubAdmin.InspectionSubscriptionId(new PubSubOptions().DeadLetterTopic)]);
        await sampling.CancelAsync();
        await sampler;
        rss.Add(Sample(environment, clock, phase));

        var logsAtEnd = Logs(environment);
        static LatencySummary? Summary(IEnumerable<double> values) => values.Any() ? LatencySummary.Of(values) : null;
        StretchResult Stretch(int index, TimeSpan start, bool afterGap)
        {
            var mine = timed.Where(t => t.Stretch == index).ToList();
            return new StretchResult(index + 1, start.TotalSeconds, afterGap, mine.Count, mine.Count(t => t.Lost),
                Summary(mine.Where(t => t.ReadyMs is not null).Select(t => t.ReadyMs!.Value)));
        }

        return new SoakResult(
            settings,
            segments.Count(s => s.AfterGap),
            timed.Length,
            Summary(timed.Where(t => !t.AfterIdle && t.ReadyMs is not null).Select(t => t.ReadyMs!.Value)),
            Summary(timed.Where(t => t.AfterIdle && t.ReadyMs is not null).Select(t => t.ReadyMs!.Value)),
            Summary(deletes.Where(d => d.GoneMs is not null).Select(d => d.GoneMs!.Value)),
            [.. segments.Select((segment, i) => Stretch(i, segment.Start, segment.AfterGap))],
            timed.Count(t => t.Lost),
            deletes.Count(d => d.GoneMs is null && !d.Failed),
            timed.Count(t => t.Failed) + deletes.Count(d => d.Failed),
            unpublished,
            deadLetters,
            rss,
            [.. logsAtEnd.Zip(logsAtStart, (end, start) => end with { Output = end.Output.Since(start.Output) })]);
    }

    /// <summary>
    /// The local fleet is one management cluster per region with room for 100 clusters, and every
    /// benchmark create goes to us-central1: without more room the placement controller rightly
    /// reports the 101st on as waiting for capacity, and the soak would count them as lost events
    /// (the burst, as never Ready). Replaces the seeded management cluster with the same endpoints
    /// and room for <paramref name="creates"/> clusters.
    /// </summary>
    internal static async Task MakeRoomAsync(BenchmarkEnvironment environment, int creates)
    {
        using var admin = environment.Client("benchmark", "admin");
        using var response = await admin.PutAsJsonAsync(new Uri("/api/v1/management-clusters/mc-us-central1-a", UriKind.Relative), new JsonObject
        {
            ["region"] = "us-central1",
            ["capacity"] = Math.Max(100, creates),
            ["apiEndpoint"] = "https://api.mc-us-central1-a.simulated.local:6443",
            ["ingressTarget"] = "ingress.mc-us-central1-a.simulated.local",
        });
        response.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Active stretches of <see cref="SoakSettings.Active"/> with idle gaps between them; a gap is
    /// left out where too little time would follow it to see what it did. The run ends active.
    /// </summary>
    private static List<(TimeSpan Start, TimeSpan End, bool AfterGap)> Schedule(SoakSettings settings)
    {
        var segments = new List<(TimeSpan, TimeSpan, bool)>();
        var at = TimeSpan.Zero;
        var afterGap = false;
        while (at < settings.Duration)
        {
            var remaining = settings.Duration - at;
            var active = remaining - settings.Active < settings.Idle + SoakSettings.AfterIdleWindow ? remaining : settings.Active;
            segments.Add((at, at + active, afterGap));
            at += active + settings.Idle;
            afterGap = true;
        }

        return segments;
    }

    private static async Task<Timed> CreateAsync(HttpClient client, string name, int stretch, bool afterIdle)
    {
        var started = Stopwatch.GetTimestamp();
        Uri? href = null;
        try
        {
            href = await ApiRequests.CreateClusterAsync(client, name);
            var ready = await ClusterWaits.UntilReadyAsync(client, href, SoakSettings.Patience, PollAfter);
            if (!ready)
            {
                // Which controllers have not reported: the stage where its event went missing.
                var status = (await client.GetFromJsonAsync<JsonObject>(href))!["status"]!;
                var reported = status["controllers"]?.AsArray().Select(c => c!["name"]!.GetValue<string>()) ?? [];
                Console.Error.WriteLine($"soak: {name} was not Ready within {SoakSettings.Patience.TotalMinutes} min (lost): " +
                    $"phase {status["phase"]}, reports from [{string.Join(", ", reported)}]");
            }

            return new Timed(stretch, href, ready ? Stopwatch.GetElapsedTime(started).TotalMilliseconds : null, afterIdle, false);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            Console.Error.WriteLine($"soak: {name} failed: {e.Message}");
            return new Timed(stretch, href, null, afterIdle, true);
        }
    }

    private static async Task<(double? GoneMs, bool Failed)> DeleteAsync(HttpClient client, Uri href)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await ApiRequests.DeleteClusterAsync(client, href);
            if (await ClusterWaits.UntilGoneAsync(client, href, SoakSettings.Patience, PollAfter))
            {
                return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, false);
            }

            Console.Error.WriteLine($"soak: {href} was not gone within {SoakSettings.Patience.TotalMinutes} min of its delete (stuck)");
            return (null, false);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            Console.Error.WriteLine($"soak: deleting {href} failed: {e.Message}");
            return (null, true);
        }
    }

    /// <summary>Outbox rows not yet published, given the relay up to 10 s to finish what the last deletes wrote.</summary>
    private static async Task<long> UnpublishedAsync(BenchmarkEnvironment environment)
    {
        await using var database = NpgsqlDataSource.Create(environment.ConnectionString);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            await using var command = database.CreateCommand("SELECT count(*) FROM outbox WHERE published_at IS NULL");
            var count = (long)(await command.ExecuteScalarAsync())!;
            if (count == 0 || DateTime.UtcNow > deadline)
            {
                return count;
            }

            await Task.Delay(200);
        }
    }

    private static async Task SampleAsync(BenchmarkEnvironment environment, Stopwatch clock, Func<string> phase, List<RssSample> samples, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(RssEvery);
        try
        {
            do
            {
                samples.Add(Sample(environment, clock, phase()));
            }
            while (await timer.WaitForNextTickAsync(stop));
        }
        catch (OperationCanceledException)
        {
            // The soak has ended; the caller takes the last sample.
        }
    }

    private static RssSample Sample(BenchmarkEnvironment environment, Stopwatch clock, string phase) =>
        new(Math.Round(clock.Elapsed.TotalSeconds), phase, ProcessMemory.TreeRssMb(environment.Api),
            environment.Controllers is { } controllers ? ProcessMemory.TreeRssMb(controllers) : null, ProcessMemory.TreeRssMb(environment.Emulator));

    private static LogVolume[] Logs(BenchmarkEnvironment environment) =>
    [
        new("Api", environment.OutputOf(environment.Api)),
        new("Controllers", environment.OutputOf(environment.Controllers!)),
    ];

    private static async Task Until(Stopwatch clock, TimeSpan at)
    {
        if (at - clock.Elapsed is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }
    }
}
