namespace Mlops.Cli.Runs;

/// <summary>
/// What the command line shows of a pipeline run: read from the orchestrator's run table (pipeline.deploy_code_pipeline_runs,
/// column data), whose JSON is the saga state. Only the fields shown here are read, so the saga may grow without breaking the CLI.
/// </summary>
public sealed record RunView
{
    public Guid CorrelationId { get; init; }
    public string? CurrentState { get; init; }
    public string ModelName { get; init; } = "";
    public string Environment { get; init; } = "";
    public string Trigger { get; init; } = "";
    public string TriggerDetail { get; init; } = "";
    public string CodeVersion { get; init; } = "";
    public string Trainer { get; init; } = "";
    public Dictionary<string, string> Parameters { get; init; } = [];
    public string? Description { get; init; }
    public Dictionary<string, string> Tags { get; init; } = [];
    public int? FeatureVersion { get; init; }
    public int? ModelVersion { get; init; }
    public Dictionary<string, double> ValidationMetrics { get; init; } = [];
    public int? ChampionBefore { get; init; }
    public int? ChampionAfter { get; init; }
    public EvaluationView? Evaluation { get; init; }
    public string? FailureReason { get; init; }
    public string? TraceId { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public List<HistoryView> History { get; init; } = [];

    public bool IsFinished => FinishedAt is not null;
}

public sealed record EvaluationView(string Metric, double ChallengerScore, double? ChampionScore, double RequiredScore, int HoldoutRows, bool Promote, string Reason);

public sealed record HistoryView(string State, DateTimeOffset At, string Note);
