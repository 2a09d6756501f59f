using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>The messages a run publishes, built from its state; a re-sent command is built the same way and asks for the same work.</summary>
public static class PipelineCommands
{
    public static RefreshFeatures RefreshFeatures(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        FeatureTable = run.FeatureTable,
        SourceTable = run.SourceTable,
        RawBatchId = run.RawBatchId,
    };

    public static TrainModel TrainModel(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        FeatureTable = run.FeatureTable,
        FeatureVersion = run.FeatureVersion ?? 0,
        CodeVersion = run.CodeVersion,
        Trainer = run.Trainer,
        Parameters = run.Parameters,
        Description = run.Description,
        Tags = run.Tags,
    };

    public static CheckCompliance CheckCompliance(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        Version = run.ModelVersion ?? 0,
        Mode = run.RequestedComplianceMode,
        MetricFloors = run.Thresholds?.MetricFloors ?? new Dictionary<string, double>(),
    };

    public static EvaluateChallenger EvaluateChallenger(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        Version = run.ModelVersion ?? 0,
        Metric = run.Thresholds?.Metric,
        MinimumDelta = run.Thresholds?.MinimumDelta,
        BaselineThreshold = run.Thresholds?.BaselineThreshold,
    };

    public static ApprovalRequested ApprovalRequested(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        Version = run.ModelVersion ?? 0,
        Summary = run.Evaluation?.Reason ?? "",
    };

    public static ApprovalDeadlineApproaching ApprovalDeadlineApproaching(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        Version = run.ModelVersion ?? 0,
        DeadlineAt = run.StepDeadlineAt ?? default,
    };

    /// <summary>The promotion only moves the champion if it is still the one the evaluation compared with.</summary>
    public static PromoteModel PromoteModel(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.ApprovedBy ?? run.Principal,
        Version = run.ModelVersion ?? 0,
        ExpectedChampionVersion = run.ChampionBefore,
    };

    public static PipelineStepTimedOut StepTimedOut(DeployCodePipelineState run, string step) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        Step = step,
        Attempt = run.StepAttempt,
    };

    public static PipelineRunFinished RunFinished(DeployCodePipelineState run) => new()
    {
        CorrelationId = run.CorrelationId,
        ModelName = run.ModelName,
        Environment = run.Environment,
        Principal = run.Principal,
        Outcome = run.CurrentState ?? "",
        Reason = run.FailureReason,
        ModelVersion = run.ModelVersion,
        ChampionVersion = run.ChampionAfter,
        TraceId = run.TraceId,
    };
}
