using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

[Collection(ShortDeadlines.Collection)]
public sealed class When_the_data_fails_quality_checks(ShortDeadlines pipeline)
{
    [Fact]
    public async Task The_run_ends_Failed_with_the_violations_and_trains_nothing()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Dirty, Environment = "dev", Principal = "alice",
        }));

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut");

        Assert.Equal("Failed", run.CurrentState);
        Assert.Equal("Data quality violated in churn_features: tenure_months null rate 0.42 exceeds 0.05; monthly_charges min -3 is below 0",
            run.FailureReason);
        Assert.Empty(pipeline.Workers.Received<TrainModel>(runId));
        var finished = await pipeline.FinishedAsync(runId);
        Assert.Equal(("Failed", run.FailureReason), (finished.Outcome, finished.Reason));
    }
}
