using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_deadline_message_is_lost(SweptRuns pipeline) : IClassFixture<SweptRuns>
{
    [Fact]
    public async Task The_sweeper_ends_the_run_TimedOut_naming_the_step_and_the_lane_is_free_again()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Busy, Environment = "dev", Principal = "alice",
        }));
        await pipeline.RunAsync(runId, "RefreshingFeatures");

        // The deadline is an outbox row due two seconds from now: deleted, it is a deadline message lost for good.
        var deleted = await Eventually.WaitAsync(() => pipeline.Database.ScalarAsync<long>("""
            WITH lost AS (
                DELETE FROM messaging.outbox
                WHERE correlation_id = @runId AND scheduling_token_id IS NOT NULL AND delivered_at IS NULL
                RETURNING 1)
            SELECT count(*) FROM lost
            """, new { runId }), count => count > 0, $"the deadline of run {runId} in the outbox");
        Assert.Equal(1L, deleted);

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut", "Cancelled");

        Assert.Equal("TimedOut", run.CurrentState);
        Assert.StartsWith("Step RefreshingFeatures timed out: its deadline ", run.FailureReason);
        Assert.EndsWith("passed more than 00:00:03 ago and its deadline message never came (swept).", run.FailureReason);
        Assert.True(run.FinishedAt >= run.StartedAt + pipeline.StepTimeout + SweptRuns.GracePeriod, $"finished at {run.FinishedAt:O}");
        // The command was never sent again: only a deadline message does that, and it was lost.
        Assert.Single(pipeline.Workers.Received<RefreshFeatures>(runId));
        var finished = await pipeline.FinishedAsync(runId);
        Assert.Equal(("TimedOut", run.FailureReason), (finished.Outcome, finished.Reason));

        var next = await pipeline.TriggerAsync(new PipelineRequested { ModelName = TestModels.Busy, Environment = "dev", Principal = "alice" });
        Assert.NotEqual(runId, await pipeline.StartedRunAsync(next));
    }

    [Fact]
    public async Task A_run_whose_deadline_message_comes_is_retried_as_before_and_not_swept()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Silent, Environment = "dev", Principal = "alice",
        }));

        var run = await pipeline.RunAsync(runId, "Completed", "Failed", "Rejected", "TimedOut", "Cancelled");

        Assert.Equal("Step CheckingCompliance timed out: no reply to CheckCompliance within 00:00:02, 2 attempts.", run.FailureReason);
        Assert.Equal(2, pipeline.Workers.Received<CheckCompliance>(runId).Count);
    }
}
