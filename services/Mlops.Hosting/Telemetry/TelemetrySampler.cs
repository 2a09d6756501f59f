using OpenTelemetry.Trace;

namespace Mlops.Hosting.Telemetry;

/// <summary>
/// Parent-based sampling while something exports; when nothing does, spans are only propagated: every span still has a
/// trace id (stored on runs and versions, carried by MassTransit to the next service) but records nothing.
/// </summary>
public sealed class TelemetrySampler : Sampler
{
    private static readonly SamplingResult Propagate = new(SamplingDecision.Drop);

    private TelemetrySampler() => Description = "PropagateOnly";

    public static Sampler For(bool exporting, double ratio) => exporting
        ? new ParentBasedSampler(ratio >= 1.0 ? new AlwaysOnSampler() : new TraceIdRatioBasedSampler(ratio))
        : new TelemetrySampler();

    // Drop becomes ActivitySamplingResult.PropagationData: the activity exists with its ids, unrecorded. (AlwaysOffSampler
    // would create no root activity at all, and with it no trace id.)
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) => Propagate;
}
