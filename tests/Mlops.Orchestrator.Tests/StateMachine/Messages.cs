using Mlops.Contracts;

namespace Mlops.Orchestrator.Tests.StateMachine;

/// <summary>The messages of one run of dev.ml.churn, as the workers would send them.</summary>
public static class Messages
{
    public const string Model = "dev.ml.churn";
    public const string Environment = "dev";
    public const int FeatureVersion = 7;
    public const int ModelVersion = 4;
    public const int Champion = 3;

    public static StartPipelineRun Start(Guid runId, bool requireApproval = false) => new()
    {
        CorrelationId = runId,
        ModelName = Model,
        Environment = Environment,
        Principal = "alice",
        Trigger = "manual",
        TriggerDetail = "requested by alice: new features",
        FeatureTable = "churn_features",
        SourceTable = "raw.churn_customers",
        RawBatchId = Guid.Parse("0195f0b2-0000-7000-8000-000000000001"),
        CodeVersion = "4f1c2e9",
        Trainer = "logistic_regression",
        Parameters = new Dictionary<string, string> { ["l2"] = "0.01" },
        Description = "Churn next month",
        Tags = new Dictionary<string, string> { ["pii"] = "false" },
        RequireApproval = requireApproval,
    };

    public static FeatureTableRefreshed Refreshed(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "feature-refresh",
        FeatureTable = "churn_features", FeatureVersion = FeatureVersion, RowCount = 5000,
    };

    public static DataQualityViolated QualityViolated(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "feature-refresh",
        Source = "feature_refresh", FeatureTable = "churn_features",
        Violations = ["tenure_months null rate 0.42 exceeds 0.05", "monthly_charges min -3 below 0"],
    };

    /// <summary>What monitoring raises about live traffic: its CorrelationId is an alert's.</summary>
    public static DataQualityViolated MonitoringQualityAlert(Guid alertId) => new()
    {
        CorrelationId = alertId, ModelName = Model, Environment = Environment, Principal = "monitoring", Source = "monitoring",
        Violations = ["tenure_months: null_rate 0.4 above 0.05 in 2 of the last 5 judged windows"],
    };

    public static FeatureRefreshFailed RefreshFailed(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "feature-refresh",
        FeatureTable = "churn_features", Reason = "raw batch 42 not found",
    };

    public static ModelRegistered Registered(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "training",
        Version = ModelVersion, TrainingRunId = Guid.Parse("0195f0b2-0000-7000-8000-000000000002"),
        Metrics = new Dictionary<string, double> { ["auc"] = 0.81 }, ArtifactSha256 = "ab12",
    };

    public static TrainingFailed TrainingFailed(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "training", Reason = "trainer exited with code 3",
    };

    public static ComplianceCheckPassed CompliancePassed(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "compliance", Version = ModelVersion, Mode = "enforced",
    };

    public static ComplianceCheckFailed ComplianceFailed(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "compliance", Version = ModelVersion, Mode = "enforced",
        FailedRules = [new ComplianceRuleResult { Rule = "required_tag:pii", Passed = false, Detail = "tag pii is missing" }],
    };

    public static ChallengerEvaluated Evaluated(Guid runId, bool promote) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "promotion",
        ChallengerVersion = ModelVersion, ChampionVersion = Champion, Metric = "auc",
        ChallengerScore = promote ? 0.81 : 0.70, ChampionScore = 0.78, RequiredScore = 0.79, HoldoutRows = 1000, Promote = promote,
        Reason = promote ? "auc 0.81 beats the champion's 0.78 by the required margin" : "auc 0.70 is below the required 0.79",
    };

    public static EvaluationFailed EvaluationFailed(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "promotion", Version = ModelVersion,
        Reason = "artifact ab12 failed its integrity check",
    };

    public static PromotionApproved Approved(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "bob", Comment = "looks good",
    };

    public static PromotionDenied Denied(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "bob", Reason = "wait for the quarter's close",
    };

    public static ModelPromoted Promoted(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "promotion", Version = ModelVersion, PreviousVersion = Champion,
    };

    public static PromotionRejected PromotionRejected(Guid runId) => new()
    {
        CorrelationId = runId, ModelName = Model, Environment = Environment, Principal = "promotion", Version = ModelVersion,
        Reason = "the champion is version 5, not 3: another run promoted meanwhile",
    };
}
