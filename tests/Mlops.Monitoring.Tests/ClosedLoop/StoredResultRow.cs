namespace Mlops.Monitoring.Tests.ClosedLoop;

/// <summary>A row of monitoring.metric_results as a test reads it.</summary>
public sealed record StoredResultRow
{
    public int Version { get; init; }
    public string SubjectKind { get; init; } = "";
    public string Subject { get; init; } = "";
    public string Metric { get; init; } = "";
    public DateTime WindowStart { get; init; }
    public string Status { get; init; } = "";
    public double? Value { get; init; }
    public double? Threshold { get; init; }
    public bool Breached { get; init; }
    public double? Baseline { get; init; }
    public double? PValue { get; init; }
    public string? Method { get; init; }
    public long SampleSize { get; init; }
    public string? Reason { get; init; }
}
