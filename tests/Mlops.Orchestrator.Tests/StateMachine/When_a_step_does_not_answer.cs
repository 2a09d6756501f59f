using MassTransit;
using Mlops.Contracts;
using Mlops.Orchestrator.Configuration;
using Mlops.Orchestrator.Sagas;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_a_step_does_not_answer : IAsyncLifetime
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(400);

    // Long enough for a reply to arrive in time on a busy machine, short enough to wait for.
    private static readonly TimeSpan ReplyWindow = TimeSpan.FromMilliseconds(1500);

    private sealed record Silence(Func<DeployCodePipelineStateMachine, State> Step, Action<PipelineStepTimeouts> Timeout, Func<PipelineHarness, Guid, int> Sent);

    private static readonly Dictionary<string, Silence> Steps = new()
    {
        ["RefreshingFeatures"] = new(m => m.RefreshingFeatures, t => t.RefreshingFeatures = Short,
            (h, id) => h.Published<RefreshFeatures>(id, m => m.CorrelationId).Count),
        ["Training"] = new(m => m.Training, t => t.Training = Short,
            (h, id) => h.Published<TrainModel>(id, m => m.CorrelationId).Count),
        ["CheckingCompliance"] = new(m => m.CheckingCompliance, t => t.CheckingCompliance = Short,
            (h, id) => h.Published<CheckCompliance>(id, m => m.CorrelationId).Count),
        ["Evaluating"] = new(m => m.Evaluating, t => t.Evaluating = Short,
            (h, id) => h.Published<EvaluateChallenger>(id, m => m.CorrelationId).Count),
        ["Promoting"] = new(m => m.Promoting, t => t.Promoting = Short,
            (h, id) => h.Published<PromoteModel>(id, m => m.CorrelationId).Count),
    };

    public static TheoryData<string> StepNames => [.. Steps.Keys];

    private PipelineHarness? _pipeline;

    public Task InitializeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(StepNames))]
    public async Task Its_command_is_sent_once_more_and_then_the_run_times_out_naming_the_step(string step)
    {
        var silence = Steps[step];
        _pipeline = await PipelineHarness.StartAsync(silence.Timeout);
        var runId = await _pipeline.StartRunAsync();

        await _pipeline.AdvanceAsync(runId, silence.Step);

        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));
        var run = await _pipeline.WaitForAsync(runId, m => m.TimedOut);
        Assert.Equal(("TimedOut", run.FailureReason), (finished.Outcome, finished.Reason));
        Assert.Equal(2, silence.Sent(_pipeline, runId));
        Assert.StartsWith($"Step {step} timed out", run.FailureReason);
        Assert.Contains(run.History, h => h.State == step && h.Note.Contains("attempt 2"));
    }

    [Fact]
    public async Task A_reply_to_the_second_attempt_moves_the_run_on()
    {
        _pipeline = await PipelineHarness.StartAsync(t => t.RefreshingFeatures = ReplyWindow);
        var runId = await _pipeline.StartRunAsync();
        await _pipeline.WaitForPublishedAsync<RefreshFeatures>(runId, m => m.CorrelationId, 2);

        await _pipeline.PublishAsync(Messages.Refreshed(runId));

        var run = await _pipeline.WaitForAsync(runId, m => m.Training);
        Assert.Equal(1, run.StepAttempt);
        Assert.Single(_pipeline.Published<TrainModel>(runId, m => m.CorrelationId));
    }

    [Fact]
    public async Task A_deadline_of_a_step_the_run_already_left_changes_nothing()
    {
        _pipeline = await PipelineHarness.StartAsync(t => t.RefreshingFeatures = ReplyWindow);
        var runId = await _pipeline.StartRunAsync();
        await _pipeline.PublishAsync(Messages.Refreshed(runId));
        await _pipeline.WaitForAsync(runId, m => m.Training);

        // The in-memory scheduler cannot cancel: the refresh deadline still arrives, and only its token tells it is stale.
        await WaitUntil(() => _pipeline.Saga.Consumed.Select<PipelineStepTimedOut>(new CancellationToken(true)).Any(m => m.Context.Message.CorrelationId == runId));

        var run = _pipeline.Saga.Sagas.Contains(runId);
        Assert.Equal(("Training", 1), (run.CurrentState, run.StepAttempt));
        Assert.Single(_pipeline.Published<RefreshFeatures>(runId, m => m.CorrelationId));
        Assert.Single(_pipeline.Published<TrainModel>(runId, m => m.CorrelationId));
    }

    private static Task WaitUntil(Func<bool> condition) =>
        Eventually.WaitAsync(() => Task.FromResult(condition()), "the stale deadline consumed", TimeSpan.FromSeconds(20));

    public async Task DisposeAsync()
    {
        if (_pipeline is not null)
            await _pipeline.DisposeAsync();
    }
}
