using System.Diagnostics;
using Mlops.Hosting.Telemetry;
using OpenTelemetry.Trace;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_spans_are_sampled
{
    private static readonly ActivityTraceId TraceId = ActivityTraceId.CreateRandom();

    [Fact]
    public void Nothing_is_recorded_when_nothing_exports_even_under_a_sampled_parent()
    {
        var sampler = TelemetrySampler.For(exporting: false, ratio: 1.0);

        Assert.Equal(SamplingDecision.Drop, sampler.ShouldSample(Root()).Decision);
        Assert.Equal(SamplingDecision.Drop, sampler.ShouldSample(Child(ActivityTraceFlags.Recorded)).Decision);
    }

    [Fact]
    public void While_something_exports_a_new_trace_is_recorded_and_a_child_follows_its_parent()
    {
        var sampler = TelemetrySampler.For(exporting: true, ratio: 1.0);

        Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(Root()).Decision);
        Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(Child(ActivityTraceFlags.Recorded)).Decision);
        Assert.Equal(SamplingDecision.Drop, sampler.ShouldSample(Child(ActivityTraceFlags.None)).Decision);
    }

    [Fact]
    public void A_ratio_of_zero_records_no_new_trace_but_still_follows_a_sampled_parent()
    {
        var sampler = TelemetrySampler.For(exporting: true, ratio: 0.0);

        Assert.Equal(SamplingDecision.Drop, sampler.ShouldSample(Root()).Decision);
        Assert.Equal(SamplingDecision.RecordAndSample, sampler.ShouldSample(Child(ActivityTraceFlags.Recorded)).Decision);
    }

    private static SamplingParameters Root() => new(default, TraceId, "root", ActivityKind.Internal);

    private static SamplingParameters Child(ActivityTraceFlags flags) =>
        new(new ActivityContext(TraceId, ActivitySpanId.CreateRandom(), flags, isRemote: true), TraceId, "child", ActivityKind.Consumer);
}
