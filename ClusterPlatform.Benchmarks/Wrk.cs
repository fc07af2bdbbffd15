using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// One wrk run: the load, the errors wrk counted, and the CPU the client (wrk itself) and the server
/// under test spent during it, so a reader can see how much of the two cores the load generator took.
/// </summary>
internal sealed record WrkLoad(LoadResult Load, double ClientCpuSeconds, double ServerCpuSeconds, long ResponseBytes)
{
    /// <summary>Bytes of a response, headers included: the Api's and the floor's should be alike.</summary>
    public double BytesPerResponse => (double)ResponseBytes / Math.Max(1, Load.Latency.Count);

    /// <summary>wrk's CPU as a share of one core over the run.</summary>
    public double ClientCpuShare => ClientCpuSeconds / Load.Seconds;

    /// <summary>wrk's CPU time per answered request, in microseconds (its side of the loopback TCP included).</summary>
    public double ClientCpuUsPerRequest => ClientCpuSeconds * 1e6 / Math.Max(1, Load.Latency.Count);

    /// <summary>The server's CPU time per answered request, in milliseconds.</summary>
    public double ServerCpuMsPerRequest => ServerCpuSeconds * 1000 / Math.Max(1, Load.Latency.Count);

    /// <summary>
    /// Several runs of one operation as one: requests, seconds, CPU and bytes summed. Percentiles cannot be
    /// pooled from wrk's summaries, so each latency figure is the median of the runs' (the max is the max).
    /// </summary>
    public static WrkLoad Merge(IReadOnlyList<WrkLoad> runs)
    {
        double Median(Func<LatencySummary, double> figure) => LatencySummary.Median(runs.Select(r => figure(r.Load.Latency)));

        var first = runs[0].Load;
        var seconds = runs.Sum(r => r.Load.Seconds);
        var requests = runs.Sum(r => r.Load.Latency.Count);
        var latency = new LatencySummary(requests, Median(l => l.P50Ms), Median(l => l.P90Ms), Median(l => l.P95Ms), Median(l => l.P99Ms),
            runs.Sum(r => r.Load.Latency.MeanMs * r.Load.Latency.Count) / Math.Max(1, requests), runs.Max(r => r.Load.Latency.MaxMs));
        return new WrkLoad(new LoadResult(first.Operation, first.Clients, seconds, requests / seconds, latency),
            runs.Sum(r => r.ClientCpuSeconds), runs.Sum(r => r.ServerCpuSeconds), runs.Sum(r => r.ResponseBytes));
    }
}

/// <summary>What a wrk run sends: a request built in Lua for each cycle, and the bearer token (if any) it carries.</summary>
internal sealed record WrkRequest(string Lua, string? Token = null);

/// <summary>
/// Runs wrk (Debian's 4.1, C and epoll: a few microseconds of CPU per request, against the tens of
/// a .NET HttpClient loop) as a closed loop of <c>clients</c> connections, one request in flight on
/// each, like <see cref="ClosedLoopLoad"/> and pgbench. One thread for every client count: one epoll
/// loop drives 32 connections with room to spare, and keeps wrk to at most one of the machine's cores.
/// The figures come from a Lua <c>done()</c> that prints wrk's own histogram (microseconds) and the
/// process's CPU time as JSON, so nothing is parsed from its human-readable output.
/// </summary>
internal static class Wrk
{
    public const string Executable = "/usr/bin/wrk";

    // Replaced in the request template; '@' is in neither a base64url token, a path we build, nor the bodies.
    private const string Marker = "@@@@";

    public static bool Installed => File.Exists(Executable);

    /// <summary>GET of a random seeded cluster: the id is built as <see cref="ClusterSeed.IdOf"/> builds it.</summary>
    public static WrkRequest GetSeeded(SeededRange seeded, string pathBase, string? token)
    {
        var id = ClusterSeed.IdOf(0).ToString("D");
        var prefix = id[..^12]; // the seed number is the last 12 hex digits
        return new WrkRequest(Invariant($$"""
            local head, tail
            function init(args)
              math.randomseed(os.time() * 1000 + (tid or 0))
              head, tail = split(wrk.format("GET", "{{pathBase}}/{{prefix}}{{Marker}}"))
            end
            function request()
              return head .. string.format("%012x", math.random({{seeded.First}}, {{seeded.Last}})) .. tail
            end
            """), token);
    }

    /// <summary>The same GET of <paramref name="pathAndQuery"/> on every cycle.</summary>
    public static WrkRequest GetPath(string pathAndQuery, string? token) =>
        new(Invariant($$"""
            local fixed
            function init(args) fixed = wrk.format("GET", "{{pathAndQuery}}") end
            function request() return fixed end
            """), token);

    /// <summary>
    /// A POST of <paramref name="body"/> with <c>NAME</c> replaced by a name unique to the run: the
    /// prefix, wrk's thread, and a counter of fixed width (so Content-Length stays that of the template).
    /// </summary>
    public static WrkRequest Post(string path, string body, string namePrefix, string? token)
    {
        const string Name = "NAME";
        const int CounterDigits = 7;
        var template = body.Replace(Name, $"{namePrefix}{{tid}}-{new string('@', CounterDigits)}", StringComparison.Ordinal);
        if (template.Contains("]==]", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The body cannot be quoted as a Lua long string.");
        }

        return new WrkRequest(Invariant($$"""
            wrk.headers["Content-Type"] = "application/json"
            local head, tail, counter = nil, nil, 0
            function init(args)
              local body = string.gsub([==[{{template}}]==], "{tid}", tostring(tid or 0))
              head, tail = split(wrk.format("POST", "{{path}}", nil, body), "{{new string('@', CounterDigits)}}")
            end
            function request()
              counter = counter + 1
              return head .. string.format("%0{{CounterDigits}}d", counter) .. tail
            end
            """), token);
    }

    public static async Task<WrkLoad> RunAsync(string operation, Uri server, WrkRequest request, int clients, TimeSpan duration,
        Func<TimeSpan> serverCpu)
    {
        var work = Directory.CreateTempSubdirectory("clusterplatform-wrk-");
        try
        {
            var script = Path.Combine(work.FullName, "load.lua");
            await File.WriteAllTextAsync(script, Common + request.Lua);
            var start = new ProcessStartInfo(Executable)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            string[] arguments =
            [
                "-t", "1",
                "-c", clients.ToString(CultureInfo.InvariantCulture),
                "-d", Invariant($"{(int)Math.Ceiling(duration.TotalSeconds)}s"),
                "--timeout", "10s",
                "-s", script,
                server.ToString().TrimEnd('/'),
            ];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // The token goes through the environment, not the command line, where any `ps` would show it.
            start.Environment["WRK_BEARER_TOKEN"] = request.Token ?? "";
            var cpuBefore = serverCpu();
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var serverSeconds = (serverCpu() - cpuBefore).TotalSeconds;
            var text = await output;
            var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(ResultPrefix, StringComparison.Ordinal));
            if (process.ExitCode != 0 || line is null)
            {
                throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {text}{await errors}");
            }

            using var json = System.Text.Json.JsonDocument.Parse(line[ResultPrefix.Length..]);
            var r = json.RootElement;
            long Count(string name) => r.GetProperty(name).GetInt64();
            double Ms(string name) => r.GetProperty(name).GetDouble() / 1000;
            var failed = Count("connect") + Count("read") + Count("write") + Count("status") + Count("timeout");
            if (failed > 0)
            {
                // As ApiRequests does: a fast error must never be counted as a fast answer.
                throw new InvalidOperationException(Invariant(
                    $"{operation} at {clients} client(s): wrk counted {failed} errors (connect {Count("connect")}, read {Count("read")}, write {Count("write")}, HTTP status above 399 {Count("status")}, timeout {Count("timeout")})."));
            }

            var seconds = Count("durationUs") / 1e6;
            var requests = Count("requests");
            var latency = new LatencySummary((int)requests, Ms("p50Us"), Ms("p90Us"), Ms("p95Us"), Ms("p99Us"), Ms("meanUs"), Ms("maxUs"));
            // /proc reports CPU times in USER_HZ, 100 a second on Linux whatever the kernel's own tick.
            var clientSeconds = Count("cpuTicks") / 100.0;
            return new WrkLoad(new LoadResult(operation, clients, seconds, requests / seconds, latency), clientSeconds, serverSeconds, Count("bytes"));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private const string ResultPrefix = "WRK-RESULT ";

    // Every script: the token header, the request template's split around its marker, and done()
    // printing the figures. setup() numbers the threads (used to keep created names apart).
    private static readonly string Common = Invariant($$"""
        local token = os.getenv("WRK_BEARER_TOKEN")
        if token and #token > 0 then wrk.headers["Authorization"] = "Bearer " .. token end
        local threads = 0
        function setup(thread)
          threads = threads + 1
          thread:set("tid", threads)
        end
        function split(text, marker)
          marker = marker or "{{Marker}}"
          local at = string.find(text, marker, 1, true)
          return string.sub(text, 1, at - 1), string.sub(text, at + #marker)
        end
        function done(summary, latency, requests)
          -- utime and stime of the whole process (all of wrk's threads have ended): fields 14 and 15 of
          -- /proc/self/stat, counted after the ")" that closes the command name.
          local stat = io.open("/proc/self/stat"):read("*a")
          local fields = {}
          for f in string.gmatch(string.match(stat, "%) (.*)"), "%S+") do fields[#fields + 1] = f end
          local e = summary.errors
          io.write(string.format('{{ResultPrefix}}{"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
            '"p50Us":%d,"p90Us":%d,"p95Us":%d,"p99Us":%d,"meanUs":%.1f,"maxUs":%d,"cpuTicks":%d}\n',
            summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
            latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
            tonumber(fields[12]) + tonumber(fields[13])))
        end

        """);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
