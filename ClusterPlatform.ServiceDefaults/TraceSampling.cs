using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which traces a process records: <c>Telemetry:SamplingRatio</c> of the traces it starts (0 to 1;
/// by default all of them in Development and <see cref="DefaultRatio"/> elsewhere), and, for a request
/// or message that arrives inside a trace, whatever the caller decided (parent-based), so a trace is
/// kept whole or not at all. An activity that is not recorded is not created by the libraries' sources
/// (ASP.NET Core, HttpClient, Npgsql), so it costs no tags, no span and no export.
/// </summary>
public static class TraceSampling
{
    public const string RatioKey = "Telemetry:SamplingRatio";

    /// <summary>
    /// Outside Development: one new trace in ten. Every request still counts in the metrics; a trace
    /// per request would cost each request its spans and the collector their volume.
    /// </summary>
    public const double DefaultRatio = 0.1;

    /// <summary>The configured ratio; a value outside 0 to 1 stops the start with its key named.</summary>
    public static double Ratio(IConfiguration configuration, bool development)
    {
        var ratio = configuration.GetValue<double?>(RatioKey) ?? (development ? 1.0 : DefaultRatio);
        return ratio is >= 0 and <= 1 ? ratio
            : throw new InvalidOperationException($"{RatioKey} must be between 0 and 1 (the share of new traces recorded), not {ratio}.");
    }

    /// <summary>The sampler for <paramref name="ratio"/>: parent-based, over every trace or a ratio of them.</summary>
    public static Sampler For(double ratio) =>
        new ParentBasedSampler(ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio));
}
