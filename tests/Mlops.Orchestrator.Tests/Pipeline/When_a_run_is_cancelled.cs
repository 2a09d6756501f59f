using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_run_is_cancelled(HeldRuns pipeline) : IClassFixture<HeldRuns>
{
    [Fact]
    public async Task An_active_run_ends_Cancelled_with_the_reason_and_the_lane_is_free_again()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = HeldRuns.Cancelled, Environment = "dev", Principal = "alice",
        }));
        await pipeline.RunAsync(runId, "RefreshingFeatures");
        var recorded = await pipeline.TriggerAsync(new PipelineRequested { ModelName = HeldRuns.Cancelled, Environment = "dev", Principal = "bob" });
        Assert.Equal("recorded", Assert.Single(await pipeline.AdmittedAsync(recorded)).Disposition);

        await pipeline.PublishAsync(new CancelPipelineRun { CorrelationId = runId, Principal = "carol", Reason = "the source table is being repaired" });

        var run = await pipeline.RunAsync(runId, "Cancelled", "Completed", "Failed", "Rejected", "TimedOut");
        Assert.Equal("Cancelled", run.CurrentState);
        Assert.Equal("Cancelled by carol in RefreshingFeatures: the source table is being repaired", run.FailureReason);
        var finished = await pipeline.FinishedAsync(runId);
        Assert.Equal(("Cancelled", run.FailureReason), (finished.Outcome, finished.Reason));
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE correlation_id = @runId AND scheduling_token_id IS NOT NULL AND delivered_at IS NULL", new { runId }));

        // What was recorded on a cancelled run is cancelled with it, and says so in the trigger log.
        var followUp = await pipeline.FollowUpOfAsync(runId);
        Assert.Equal(("follow_up", "ignored"), (followUp.Kind, followUp.Disposition));
        Assert.StartsWith($"No follow-up of run {runId}, which ended Cancelled: the 1 trigger(s) recorded on it were cancelled with it", followUp.Detail);
        Assert.Equal(1L, await pipeline.RunCountAsync(HeldRuns.Cancelled));

        var next = await pipeline.TriggerAsync(new PipelineRequested { ModelName = HeldRuns.Cancelled, Environment = "dev", Principal = "alice" });
        Assert.NotEqual(runId, await pipeline.StartedRunAsync(next));
    }

    [Fact]
    public async Task A_finished_run_stays_as_it_is_and_says_it_already_finished()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = HeldRuns.Code, Environment = "dev", Principal = "alice",
        }));
        await pipeline.ReleaseAsync(await pipeline.RunAsync(runId, "RefreshingFeatures"));
        var completed = await pipeline.RunAsync(runId, "Completed");

        await pipeline.PublishAsync(new CancelPipelineRun { CorrelationId = runId, Principal = "carol", Reason = "too late" });

        var run = await Eventually.WaitAsync(() => pipeline.RunAsync(runId, "Completed"),
            r => r.History.Count > completed.History.Count, $"run {runId} to answer the cancel");
        Assert.Equal(("Completed", null), (run.CurrentState, run.FailureReason));
        Assert.Equal("Ignored CancelPipelineRun: the run is Completed", run.History[^1].Note);
        Assert.Single(pipeline.Events.RunsFinished, e => e.CorrelationId == runId);
    }
}
