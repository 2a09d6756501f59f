using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Contracts;
using Mlops.Orchestrator.Sweeping;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_deadline_message_is_lost(SweptRuns pipeline) : IClassFixture<SweptRuns>
{
    [Fact]
    public async Task The_sweeper_ends_the_run_TimedOut_naming_the_step_and_the_lane_is_free_again()
    {
        var runId = await StartStuckRunAsync(TestModels.Busy);

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
    public async Task An_orchestrator_skips_its_look_while_another_one_sweeps()
    {
        var runId = await StartStuckRunAsync(SweptRuns.Locked);

        // Another orchestrator's look, for as long as this transaction holds the sweeper's lock.
        await using (var connection = await pipeline.Database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('pipeline.stuck_run_sweeper'))", transaction: transaction);
            await Eventually.WaitAsync(() => pipeline.Database.ScalarAsync<bool>("""
                SELECT (data->>'stepDeadlineAt')::timestamptz < now() - interval '3 seconds'
                FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId
                """, new { runId }), $"run {runId} past its deadline and the grace period");

            Assert.Empty(await pipeline.Orchestrators[0].Services.GetRequiredService<StuckRunSweeper>().SweepAsync(CancellationToken.None));
            Assert.Equal("RefreshingFeatures", (await pipeline.RunAsync(runId, "RefreshingFeatures")).CurrentState);
        }

        Assert.Equal("TimedOut", (await pipeline.RunAsync(runId, "TimedOut")).CurrentState);
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

    /// <summary>
    /// Starts a run the workers never answer and deletes its deadline, an outbox row due two seconds after the step
    /// started: a deadline message lost for good.
    /// </summary>
    private async Task<Guid> StartStuckRunAsync(string model)
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = model, Environment = "dev", Principal = "alice",
        }));
        await pipeline.RunAsync(runId, "RefreshingFeatures");
        var deleted = await Eventually.WaitAsync(() => pipeline.Database.ScalarAsync<long>("""
            WITH lost AS (
                DELETE FROM messaging.outbox
                WHERE correlation_id = @runId AND scheduling_token_id IS NOT NULL AND delivered_at IS NULL
                RETURNING 1)
            SELECT count(*) FROM lost
            """, new { runId }), count => count > 0, $"the deadline of run {runId} in the outbox");
        Assert.Equal(1L, deleted);
        return runId;
    }
}
