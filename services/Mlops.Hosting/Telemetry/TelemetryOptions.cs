using System.ComponentModel.DataAnnotations;

namespace Mlops.Hosting.Telemetry;

public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>The service name on every span and metric; OTEL_SERVICE_NAME wins when set.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Where to send OTLP; OTEL_EXPORTER_OTLP_ENDPOINT wins when set. Unset: nothing is exported by OTLP.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>
    /// The share of new traces recorded while something exports (parent-based: a trace started elsewhere keeps its
    /// caller's decision). OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG replace this choice when set.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SampleRatio { get; set; } = 1.0;
}
