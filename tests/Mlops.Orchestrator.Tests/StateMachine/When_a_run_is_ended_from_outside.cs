using Mlops.Contracts;
using Mlops.Orchestrator.Sagas;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_a_run_is_ended_from_outside : IAsyncLifetime
{
    private PipelineHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PipelineHarness.StartAsync();

    [Fact]
    public async Task A_cancel_in_any_step_ends_it_Cancelled_with_who_and_why()
    {
        foreach (var step in new Func<DeployCodePipelineStateMachine, MassTransit.State>[]
                 {
                     m => m.RefreshingFeatures, m => m.Training, m => m.CheckingCompliance, m => m.Evaluating, m => m.AwaitingApproval, m => m.Promoting,
                 })
        {
            var runId = await _pipeline.StartRunAsync(requireApproval: true);
            var name = (await _pipeline.AdvanceAsync(runId, step)).CurrentState;

            await _pipeline.PublishAsync(new CancelPipelineRun { CorrelationId = runId, Principal = "carol", Reason = "wrong data" });

            var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));
            var run = await _pipeline.WaitForAsync(runId, m => m.Cancelled);
            Assert.Equal(($"Cancelled by carol in {name}: wrong data", "Cancelled"), (run.FailureReason, finished.Outcome));
            Assert.Null(run.StepDeadlineAt);
        }
    }

    [Fact]
    public async Task The_sweepers_expiry_of_a_step_it_already_left_is_noted_and_ignored()
    {
        var runId = await _pipeline.StartRunAsync();
        var refreshing = await _pipeline.WaitForAsync(runId, m => m.RefreshingFeatures);
        var seen = new ExpirePipelineRun
        {
            CorrelationId = runId, Step = "RefreshingFeatures", StepDeadlineAt = refreshing.StepDeadlineAt!.Value, GracePeriod = TimeSpan.FromMinutes(5),
        };
        await _pipeline.AdvanceAsync(runId, m => m.Training);

        await _pipeline.PublishAsync(seen);

        var run = await Eventually.WaitAsync(() => Task.FromResult(_pipeline.Saga.Sagas.Contains(runId)),
            r => r.History.Any(h => h.Note.StartsWith("Not expired")), $"run {runId} to note the expiry");
        Assert.Equal("Training", run.CurrentState);
        Assert.Empty(_pipeline.Published<PipelineRunFinished>(runId, m => m.CorrelationId));
    }

    [Fact]
    public async Task The_sweepers_expiry_of_the_step_it_waits_in_ends_it_TimedOut()
    {
        var runId = await _pipeline.StartRunAsync();
        var training = await _pipeline.AdvanceAsync(runId, m => m.Training);

        await _pipeline.PublishAsync(new ExpirePipelineRun
        {
            CorrelationId = runId, Step = "Training", StepDeadlineAt = training.StepDeadlineAt!.Value, GracePeriod = TimeSpan.FromMinutes(5),
        });

        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));
        var run = await _pipeline.WaitForAsync(runId, m => m.TimedOut);
        Assert.Equal(("TimedOut", run.FailureReason), (finished.Outcome, finished.Reason));
        Assert.StartsWith("Step Training timed out: its deadline ", run.FailureReason);
        Assert.EndsWith("passed more than 00:05:00 ago and its deadline message never came (swept).", run.FailureReason);
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();
}
