namespace Mlops.Catalog.Tracking;

/// <summary>One training run, as MLflow tracking would record it.</summary>
public sealed record TrackingRun
{
    public required Guid RunId { get; init; }
    public required string Experiment { get; init; }
    public Guid? PipelineRunId { get; init; }
    public string Status { get; init; } = "running";
    public required string Trainer { get; init; }
    public required string CodeVersion { get; init; }
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    public required string FeatureTable { get; init; }
    public required int FeatureVersion { get; init; }
    public required string Principal { get; init; }
    public string? TraceId { get; init; }
    public string? Error { get; init; }
    public DateTime StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
}
