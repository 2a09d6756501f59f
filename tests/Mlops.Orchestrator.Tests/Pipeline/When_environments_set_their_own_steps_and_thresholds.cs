using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>
/// Pipeline:Environments:&lt;env&gt; sets a run's steps and thresholds: the orchestrator carries them on the commands it sends
/// over the real broker (CheckCompliance's mode and floors, EvaluateChallenger's metric, margin and baseline), records them
/// on the run, and an environment that sets none leaves every service its own.
/// </summary>
public sealed class When_environments_set_their_own_steps_and_thresholds(EnvironmentStepsPipeline pipeline) : IClassFixture<EnvironmentStepsPipeline>
{
    [Fact]
    public async Task A_staging_run_asks_for_stagings_compliance_mode_and_thresholds()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = EnvironmentStepsPipeline.Staging, Environment = "staging", Principal = "alice", Reason = "thresholds",
        }));

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut");

        Assert.Equal("Completed", run.CurrentState);
        var compliance = Assert.Single(pipeline.Workers.Received<CheckCompliance>(runId));
        Assert.Equal("dry_run", compliance.Mode);
        Assert.Equal(new Dictionary<string, double> { ["auc"] = 0.7 }, compliance.MetricFloors);
        var evaluate = Assert.Single(pipeline.Workers.Received<EvaluateChallenger>(runId));
        Assert.Equal(("f1", 0.02, 0.6), (evaluate.Metric, evaluate.MinimumDelta, evaluate.BaselineThreshold));
        Assert.Equal(("dry_run", "f1"), (run.RequestedComplianceMode, run.Thresholds?.Metric));
        Assert.Contains(run.History, h => h.Note.Contains("staging's pipeline configuration: compliance dry_run, metric f1, minimum delta 0.02, baseline 0.6, floor auc 0.7"));
    }

    [Fact]
    public async Task A_dev_run_leaves_each_service_its_own()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = EnvironmentStepsPipeline.Dev, Environment = "dev", Principal = "alice", Reason = "defaults",
        }));

        await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut");

        var compliance = Assert.Single(pipeline.Workers.Received<CheckCompliance>(runId));
        Assert.Null(compliance.Mode);
        Assert.Empty(compliance.MetricFloors);
        var evaluate = Assert.Single(pipeline.Workers.Received<EvaluateChallenger>(runId));
        Assert.Equal((null, null, null), (evaluate.Metric, evaluate.MinimumDelta, evaluate.BaselineThreshold));
    }
}
