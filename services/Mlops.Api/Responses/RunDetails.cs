namespace Mlops.Api.Responses;

/// <summary>
/// A pipeline run as the orchestrator keeps it (pipeline.deploy_code_pipeline_runs, column data, the saga state as JSON).
/// Only these fields are read, so the saga may grow without breaking the API.
/// </summary>
public sealed record RunDetails
{
    public Guid CorrelationId { get; init; }
    public string? CurrentState { get; init; }
    public string ModelName { get; init; } = "";
    public string Environment { get; init; } = "";
    public string Principal { get; init; } = "";
    public string Trigger { get; init; } = "";
    public string TriggerDetail { get; init; } = "";
    public string CodeVersion { get; init; } = "";
    public string Trainer { get; init; } = "";
    public Dictionary<string, string> Parameters { get; init; } = [];
    public string? Description { get; init; }
    public Dictionary<string, string> Tags { get; init; } = [];
    public string FeatureTable { get; init; } = "";
    public int? FeatureVersion { get; init; }
    public Guid? TrainingRunId { get; init; }
    public int? ModelVersion { get; init; }
    public Dictionary<string, double> ValidationMetrics { get; init; } = [];
    public int? ChampionBefore { get; init; }
    public int? ChampionAfter { get; init; }
    public RunEvaluation? Evaluation { get; init; }
    public bool RequireApproval { get; init; }
    public string? ApprovedBy { get; init; }
    public string? FailureReason { get; init; }
    public string? TraceId { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public List<RunHistoryEntry> History { get; init; } = [];

    public RunSummary ToSummary() =>
        new(CorrelationId, CurrentState, ModelName, Environment, Principal, Trigger, CodeVersion, ModelVersion, StartedAt, FinishedAt, FailureReason);
}
