using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace ClusterPlatform.Benchmarks;

/// <summary>
/// Runs PostgreSQL's own pgbench against the benchmark's database with a custom script: prepared
/// statements (the fastest protocol pgbench has), over TCP like the Api, one transaction per script
/// run. Latencies come from pgbench's per-transaction log, so they are comparable with the API's.
/// </summary>
internal sealed partial class Pgbench(string binDirectory, string connectionString)
{
    public async Task<LoadResult> RunAsync(string operation, string script, int clients, TimeSpan duration,
        IReadOnlyDictionary<string, string> variables)
    {
        var work = Directory.CreateTempSubdirectory("clusterplatform-pgbench-");
        try
        {
            var scriptFile = Path.Combine(work.FullName, "script.sql");
            await File.WriteAllTextAsync(scriptFile, script);
            var target = new NpgsqlConnectionStringBuilder(connectionString);
            var start = new ProcessStartInfo(Path.Combine(binDirectory, "pgbench"))
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            string[] arguments =
            [
                "-h", target.Host!, "-p", target.Port.ToString(CultureInfo.InvariantCulture), "-U", target.Username!,
                "-n", "-M", "prepared",
                "-c", clients.ToString(CultureInfo.InvariantCulture),
                // As many threads as clients up to the cores: the machine has two.
                "-j", Math.Min(clients, Environment.ProcessorCount).ToString(CultureInfo.InvariantCulture),
                "-T", ((int)Math.Ceiling(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
                "-f", scriptFile,
                "-l", "--log-prefix", Path.Combine(work.FullName, "log"),
                .. variables.SelectMany(v => new[] { "-D", $"{v.Key}={v.Value}" }),
                target.Database!,
            ];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            var text = await output;
            if (process.ExitCode != 0 || TpsLine().Match(text) is not { Success: true } tps)
            {
                throw new InvalidOperationException($"pgbench failed ({process.ExitCode}): {text}{await errors}");
            }

            var latencies = await ReadLatenciesAsync(work);
            return new LoadResult(operation, clients, duration.TotalSeconds,
                double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture), LatencySummary.Of(latencies));
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>The per-transaction log: "client transaction latency_us script epoch epoch_us", one file per thread.</summary>
    private static async Task<List<double>> ReadLatenciesAsync(DirectoryInfo work)
    {
        var latencies = new List<double>();
        foreach (var log in work.EnumerateFiles("log.*"))
        {
            foreach (var line in await File.ReadAllLinesAsync(log.FullName))
            {
                var fields = line.Split(' ');
                if (fields.Length > 2 && long.TryParse(fields[2], CultureInfo.InvariantCulture, out var micros))
                {
                    latencies.Add(micros / 1000.0);
                }
            }
        }

        return latencies;
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();
}
