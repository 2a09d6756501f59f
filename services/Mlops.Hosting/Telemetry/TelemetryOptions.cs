namespace Mlops.Hosting.Telemetry;

public sealed class TelemetryOptions
{
    /// <summary>The service name on every span and metric; OTEL_SERVICE_NAME wins when set.</summary>
    public string? ServiceName { get; set; }

    /// <summary>Where to send OTLP; OTEL_EXPORTER_OTLP_ENDPOINT wins when set. Unset: nothing is exported.</summary>
    public string? OtlpEndpoint { get; set; }
}
