using Mlops.Orchestrator.Configuration;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// One model in dev and one in staging, with staging's steps and thresholds set under Pipeline:Environments:staging
/// (compliance in dry run, a wider promotion margin, another metric, a floor); dev sets none.
/// </summary>
public sealed class EnvironmentStepsPipeline : PipelineHosts
{
    public const string Dev = "dev.ml.steps";
    public const string Staging = "staging.ml.steps";

    public override TimeSpan StepTimeout => TimeSpan.FromMinutes(1);

    protected override IReadOnlyList<PipelineModelOptions> Models => [TestModels.Model(Dev), TestModels.Model(Staging)];

    protected override Dictionary<string, string?> OrchestratorSettings()
    {
        var settings = base.OrchestratorSettings();
        // Staging is left out of the chain here, so its configured code runs without a dev run first.
        settings["Pipeline:Promotion:Chain"] = "dev,prod";
        settings["Pipeline:Environments:staging:ComplianceMode"] = "dry_run";
        settings["Pipeline:Environments:staging:RequireApproval"] = "false";
        settings["Pipeline:Environments:staging:Thresholds:Metric"] = "f1";
        settings["Pipeline:Environments:staging:Thresholds:MinimumDelta"] = "0.02";
        settings["Pipeline:Environments:staging:Thresholds:BaselineThreshold"] = "0.6";
        settings["Pipeline:Environments:staging:Thresholds:MetricFloors:auc"] = "0.7";
        return settings;
    }
}
