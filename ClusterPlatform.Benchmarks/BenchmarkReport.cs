using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ClusterPlatform.Benchmarks;

/// <summary>One line of the report. Absent figures do not apply to that measurement.</summary>
internal sealed record ReportRow(string Measurement, int? Clients = null, double? P50Ms = null, double? P99Ms = null,
    double? PerSecond = null, string Note = "");

/// <summary>
/// The one table the benchmark prints, and the same figures as JSON (the rows, plus every suite's
/// detailed result) in <c>artifacts/benchmarks/&lt;suite&gt;.json</c>.
/// </summary>
internal sealed class BenchmarkReport
{
    private readonly List<ReportRow> rows = [];
    private readonly Dictionary<string, object> details = [];

    public void Add(ReportRow row) => rows.Add(row);

    public void Add(LoadResult load, string note = "") =>
        rows.Add(new ReportRow(load.Operation, load.Clients, load.Latency.P50Ms, load.Latency.P99Ms, load.RequestsPerSecond, note));

    /// <summary>A suite's full result, written to the JSON as is.</summary>
    public void Detail(string suite, object result) => details[suite] = result;

    public string Table()
    {
        var measurementWidth = Math.Max(12, rows.Max(r => r.Measurement.Length)) + 2;
        var text = new StringBuilder();
        void Line(string measurement, string clients, string p50, string p99, string perSecond, string note) =>
            text.AppendLine($"{measurement.PadRight(measurementWidth)}{clients,8}{p50,10}{p99,10}{perSecond,11}  {note}".TrimEnd());
        Line("Measurement", "clients", "p50 ms", "p99 ms", "per s", "");
        foreach (var r in rows)
        {
            Line(r.Measurement, Format(r.Clients, "0"), Format(r.P50Ms, "0.00"), Format(r.P99Ms, "0.00"), Format(r.PerSecond, "#,0"), r.Note);
        }

        return text.ToString();
    }

    public async Task<string> WriteJsonAsync(string suite, DateTime started)
    {
        var directory = Path.Combine("artifacts", "benchmarks");
        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, $"{suite}.json");
        var document = new
        {
            suite,
            started,
            finished = DateTime.UtcNow,
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.VersionString },
            rows,
            details,
        };
        await File.WriteAllTextAsync(file, JsonSerializer.Serialize(document, Json));
        return file;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private static string Format(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";

    private static string Format(int? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "";
}
