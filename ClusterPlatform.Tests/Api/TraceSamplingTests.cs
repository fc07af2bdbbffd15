using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace ClusterPlatform.Tests.Api;

/// <summary>
/// <c>Telemetry:SamplingRatio</c> (service defaults): every trace by default in Development, a ratio of the traces a
/// process starts when set, and a caller's decision kept for what arrives inside its trace.
/// </summary>
public sealed class TraceSamplingTests
{
    [Theory]
    [InlineData(null, true, 1.0)]
    [InlineData(null, false, TraceSampling.DefaultRatio)]
    [InlineData("0.25", true, 0.25)]
    [InlineData("1", false, 1.0)]
    [InlineData("0", false, 0.0)]
    public void The_ratio_is_read_from_its_setting_and_defaults_to_every_trace_in_development_only(string? setting, bool development, double expected)
    {
        Assert.Equal(expected, TraceSampling.Ratio(Configuration(setting), development));
    }

    [Theory]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    public void A_ratio_outside_0_to_1_stops_the_start_with_its_key(string setting)
    {
        var error = Assert.Throws<InvalidOperationException>(() => TraceSampling.Ratio(Configuration(setting), development: false));
        Assert.Contains(TraceSampling.RatioKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_new_trace_is_recorded_by_the_ratio_and_a_continued_one_as_its_caller_decided()
    {
        var none = TraceSampling.For(0);
        var all = TraceSampling.For(1);
        var sampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, isRemote: true);
        var unsampledParent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, isRemote: true);

        Assert.Equal(SamplingDecision.Drop, Decide(none, default));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(all, default));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(none, sampledParent));
        Assert.Equal(SamplingDecision.Drop, Decide(all, unsampledParent));
    }

    private static SamplingDecision Decide(Sampler sampler, ActivityContext parent) =>
        sampler.ShouldSample(new SamplingParameters(parent, ActivityTraceId.CreateRandom(), "GET /api/v1/clusters/{id}", ActivityKind.Server)).Decision;

    private static IConfiguration Configuration(string? ratio) => new ConfigurationBuilder()
        .AddInMemoryCollection(ratio is null ? [] : [KeyValuePair.Create(TraceSampling.RatioKey, (string?)ratio)])
        .Build();
}
