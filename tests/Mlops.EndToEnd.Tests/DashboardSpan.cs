namespace Mlops.EndToEnd.Tests;

/// <summary>One span as the Aspire dashboard's telemetry API gives it back, with the service that exported it. Kind is OTLP's (5: consumer).</summary>
public sealed record DashboardSpan(string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind,
    IReadOnlyDictionary<string, string?> Attributes)
{
    public const int Consumer = 5;
}
