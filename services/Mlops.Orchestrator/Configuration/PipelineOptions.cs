using Mlops.Catalog;

namespace Mlops.Orchestrator.Configuration;

/// <summary>The <c>Pipeline</c> section: which models the orchestrator runs the deploy-code pipeline for, and its timings.</summary>
public sealed class PipelineOptions
{
    public const string Section = "Pipeline";

    public List<PipelineModelOptions> Models { get; set; } = [];

    public PipelineStepTimeouts StepTimeouts { get; set; } = new();

    /// <summary>
    /// How long a lane counts as busy while its newest run has not started yet (its StartPipelineRun still on the way).
    /// After that the run is taken as lost and the lane is free again, so one undeliverable start cannot block a model forever.
    /// A re-check of an alert held back by the cooldown is taken as lost alike once it is overdue by this much.
    /// </summary>
    public TimeSpan StartGracePeriod { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long monitoring alerts (DriftDetected, ModelPerformanceDegraded) are held back after a run of a model that sets
    /// no Cooldown of its own: an alert storm starts one run, not one per alert. Zero turns it off.
    /// </summary>
    public TimeSpan DefaultCooldown { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest the scheduler sleeps between two looks at the schedules. It wakes at the next occurrence anyway; this
    /// bounds how late it notices a changed clock or configuration.
    /// </summary>
    public TimeSpan ScheduleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long past its step deadline a run is left before the sweeper ends it TimedOut. A run's deadline is a durable
    /// message; the sweeper is for the run whose deadline message was lost or dead-lettered, which would otherwise keep
    /// its lane busy forever. The grace leaves the deadline message time to arrive and be handled first.
    /// </summary>
    public TimeSpan DeadlineGracePeriod { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often each orchestrator looks for runs past their deadline and the grace period.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long before the approval deadline (StepTimeouts:AwaitingApproval) a run still waiting publishes
    /// ApprovalDeadlineApproaching, which reaches people as a webhook. Zero, or not shorter than the wait: no reminder.
    /// </summary>
    public TimeSpan ApprovalReminderBefore { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Settings per environment (dev, staging, prod) its models inherit unless they set their own.</summary>
    public Dictionary<string, PipelineEnvironmentOptions> Environments { get; set; } = [];

    /// <summary>The order code is promoted through the environments (Pipeline:Promotion:Chain).</summary>
    public PromotionChain Promotion { get; set; } = new();

    /// <summary>The model's Cooldown, else its environment's; null when neither sets one.</summary>
    public TimeSpan? CooldownOf(PipelineModelOptions model) => model.Cooldown ?? EnvironmentOf(model)?.Cooldown;

    /// <summary>The model's RequireApproval, else its environment's, else true in prod only.</summary>
    public bool RequiresApproval(PipelineModelOptions model) =>
        model.RequireApproval ?? EnvironmentOf(model)?.RequireApproval ?? model.Environment == "prod";

    /// <summary>The compliance mode the model's environment asks for; null leaves the compliance service's own.</summary>
    public string? ComplianceModeOf(PipelineModelOptions model) => EnvironmentOf(model)?.ComplianceMode;

    /// <summary>The thresholds the model's environment sets; null when it sets none.</summary>
    public Mlops.Contracts.PipelineThresholds? ThresholdsOf(PipelineModelOptions model) =>
        EnvironmentOf(model)?.Thresholds is { } thresholds
        && (thresholds.Metric is not null || thresholds.MinimumDelta is not null || thresholds.BaselineThreshold is not null || thresholds.MetricFloors.Count > 0)
            ? thresholds.ToMessage()
            : null;

    private PipelineEnvironmentOptions? EnvironmentOf(PipelineModelOptions model) => Environments.GetValueOrDefault(model.Environment);

    public PipelineModelOptions? FindModel(string modelName) =>
        Models.FirstOrDefault(m => string.Equals(m.Name, modelName, StringComparison.Ordinal));
}
