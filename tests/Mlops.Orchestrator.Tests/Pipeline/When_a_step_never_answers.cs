using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

[Collection(ShortDeadlines.Collection)]
public sealed class When_a_step_never_answers(ShortDeadlines pipeline)
{
    [Fact]
    public async Task The_run_ends_TimedOut_with_a_reason_naming_the_step()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Silent, Environment = "dev", Principal = "alice",
        }));

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut");

        Assert.Equal("TimedOut", run.CurrentState);
        Assert.Equal("Step CheckingCompliance timed out: no reply to CheckCompliance within 00:00:02, 2 attempts.", run.FailureReason);
        Assert.Equal(2, pipeline.Workers.Received<CheckCompliance>(runId).Count);

        var finished = await pipeline.FinishedAsync(runId);
        Assert.Equal(("TimedOut", run.FailureReason, FakeWorkers.FakeWorkerScript.ModelVersion), (finished.Outcome, finished.Reason, finished.ModelVersion));
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE correlation_id = @runId AND scheduling_token_id IS NOT NULL AND delivered_at IS NULL", new { runId }));
    }
}
