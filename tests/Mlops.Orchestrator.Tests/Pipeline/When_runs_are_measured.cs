using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>The orchestrator's /metrics, scraped over real HTTP after real runs (models of their own, so the counts are only these runs').</summary>
[Collection(ShortDeadlines.Collection)]
public sealed class When_runs_are_measured(ShortDeadlines pipeline)
{
    private static readonly string[] Steps = ["RefreshingFeatures", "Training", "CheckingCompliance", "Evaluating", "Promoting"];

    [Fact]
    public async Task Runs_started_and_finished_per_model_environment_and_outcome_and_each_step_s_duration_are_scraped()
    {
        var completed = await pipeline.RunAsync(await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Measured, Environment = "dev", Principal = "alice",
        })), "Completed", "Failed", "Rejected", "TimedOut");
        var failed = await pipeline.RunAsync(await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.MeasuredDirty, Environment = "dev", Principal = "alice",
        })), "Completed", "Failed", "Rejected", "TimedOut");
        Assert.Equal(("Completed", "Failed"), (completed.CurrentState, failed.CurrentState));

        var model = ("mlops_model", TestModels.Measured);
        var dirty = ("mlops_model", TestModels.MeasuredDirty);
        var scrape = await Eventually.WaitAsync(() => PrometheusScrape.OfAsync(pipeline.Orchestrators[0]),
            s => s.Value("mlops_pipeline_runs_finished_total", model) is not null && s.Value("mlops_pipeline_runs_finished_total", dirty) is not null,
            "both runs in the orchestrator's metrics");

        Assert.Equal(1, scrape.Value("mlops_pipeline_runs_started_total", model, ("mlops_environment", "dev"), ("mlops_trigger", "manual")));
        Assert.Equal(1, scrape.Value("mlops_pipeline_runs_finished_total", model, ("mlops_environment", "dev"), ("mlops_outcome", "Completed")));
        Assert.Equal(1, scrape.Value("mlops_pipeline_runs_started_total", dirty, ("mlops_environment", "dev")));
        Assert.Equal(1, scrape.Value("mlops_pipeline_runs_finished_total", dirty, ("mlops_environment", "dev"), ("mlops_outcome", "Failed")));
        Assert.Null(scrape.Value("mlops_pipeline_runs_finished_total", dirty, ("mlops_outcome", "Completed")));

        // Every step of the completed run once, and together no longer than the run itself.
        foreach (var step in Steps)
            Assert.Equal(1, scrape.Value("mlops_pipeline_step_duration_seconds_count", model, ("mlops_step", step), ("mlops_outcome", "Completed")));
        var stepsTook = scrape.Value("mlops_pipeline_step_duration_seconds_sum", model)!.Value;
        Assert.InRange(stepsTook, 0, (completed.FinishedAt!.Value - completed.StartedAt).TotalSeconds + 0.001);

        // The failed run measured the one step it reached, ending Failed there.
        Assert.Equal(1, scrape.Value("mlops_pipeline_step_duration_seconds_count", dirty));
        Assert.Equal(1, scrape.Value("mlops_pipeline_step_duration_seconds_count", dirty, ("mlops_step", "RefreshingFeatures"), ("mlops_outcome", "Failed")));
    }
}
