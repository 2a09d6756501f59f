using MassTransit;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// One run of the deploy-code pipeline, kept as JSON in pipeline.deploy_code_pipeline_runs: everything an operator
/// needs to understand the run without reading logs.
/// </summary>
public sealed class DeployCodePipelineState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }

    public string ModelName { get; set; } = "";
    public string Environment { get; set; } = "";
    public string Principal { get; set; } = "";

    /// <summary>The kind of trigger that started the run, and what it said.</summary>
    public string Trigger { get; set; } = "";
    public string TriggerDetail { get; set; } = "";

    public string FeatureTable { get; set; } = "";
    public string SourceTable { get; set; } = "";
    public Guid? RawBatchId { get; set; }
    public string CodeVersion { get; set; } = "";
    public string Trainer { get; set; } = "";
    public Dictionary<string, string> Parameters { get; set; } = [];
    public string? Description { get; set; }
    public Dictionary<string, string> Tags { get; set; } = [];
    public bool RequireApproval { get; set; }

    /// <summary>What the run's environment sets for its steps: the compliance mode to ask for and the thresholds (null: the services' own).</summary>
    public string? RequestedComplianceMode { get; set; }
    public Mlops.Contracts.PipelineThresholds? Thresholds { get; set; }

    /// <summary>The feature table version the run computed and trained on.</summary>
    public int? FeatureVersion { get; set; }
    public long? FeatureRows { get; set; }

    /// <summary>The model version the run registered, the tracking run behind it and its validation metrics.</summary>
    public int? ModelVersion { get; set; }
    public Guid? TrainingRunId { get; set; }
    public Dictionary<string, double> ValidationMetrics { get; set; } = [];

    /// <summary>The compliance mode the version passed under (enforced, dry_run or disabled).</summary>
    public string? ComplianceMode { get; set; }

    /// <summary>The champion the evaluation compared with: the promotion only goes ahead if it is still the champion.</summary>
    public int? ChampionBefore { get; set; }
    public PipelineEvaluation? Evaluation { get; set; }
    public string? ApprovedBy { get; set; }

    /// <summary>The champion once the run finished.</summary>
    public int? ChampionAfter { get; set; }

    /// <summary>Why the run ended Rejected, Failed or TimedOut.</summary>
    public string? FailureReason { get; set; }

    /// <summary>The trace the run started in: every step's spans hang under it.</summary>
    public string? TraceId { get; set; }

    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>The attempt of the current step (1, or 2 once its command was sent again) and when its deadline falls.</summary>
    public int StepAttempt { get; set; }
    public DateTimeOffset? StepDeadlineAt { get; set; }
    public Guid? StepDeadlineTokenId { get; set; }

    public List<PipelineHistoryEntry> History { get; set; } = [];
}
