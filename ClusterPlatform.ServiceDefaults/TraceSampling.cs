using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which traces a process records: <c>Telemetry:SamplingRatio</c> of the traces it starts (0 to 1,
/// default 1: all of them), and, for a request or message that arrives inside a trace, whatever the
/// caller decided (parent-based), so a trace is kept whole or not at all. An activity that is not
/// recorded is not created by the libraries' sources, so it costs nothing further.
/// </summary>
public static class TraceSampling
{
    public const string RatioKey = "Telemetry:SamplingRatio";

    /// <summary>The configured ratio; a value outside 0 to 1 stops the start with its key named.</summary>
    public static double Ratio(IConfiguration configuration)
    {
        var ratio = configuration.GetValue<double?>(RatioKey) ?? 1.0;
        return ratio is >= 0 and <= 1 ? ratio
            : throw new InvalidOperationException($"{RatioKey} must be between 0 and 1 (the share of new traces recorded), not {ratio}.");
    }

    /// <summary>The sampler for <paramref name="ratio"/>: parent-based, over every trace or a ratio of them.</summary>
    public static Sampler For(double ratio) =>
        new ParentBasedSampler(ratio >= 1 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio));
}
