namespace Mlops.Api.Responses;

/// <summary>One metric of one evaluated window (a row of monitoring.metric_results).</summary>
public sealed record MonitoringPoint(int Version, string SubjectKind, string Subject, string Metric, DateTime WindowStart, DateTime WindowEnd, string Status,
    double? Value, double? Threshold, bool Breached, string? Method, long SampleSize, string? Reason);
