using MassTransit;
using MassTransit.Testing;
using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_a_reply_comes_late_or_for_no_run : IAsyncLifetime
{
    private PipelineHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PipelineHarness.StartAsync();

    [Fact]
    public async Task A_repeated_reply_for_a_step_the_run_left_is_ignored_and_noted()
    {
        var runId = await _pipeline.StartRunAsync();
        await _pipeline.AdvanceAsync(runId, m => m.Training);

        var consumed = await ConsumeAsync(Messages.Refreshed(runId) with { FeatureVersion = 8 });

        Assert.Null(consumed.Exception);
        var run = _pipeline.Saga.Sagas.Contains(runId);
        Assert.Equal(("Training", Messages.FeatureVersion), (run.CurrentState, run.FeatureVersion));
        Assert.Contains(run.History, h => h.Note == "Ignored FeatureTableRefreshed: the run is Training");
        Assert.Single(_pipeline.Published<TrainModel>(runId, m => m.CorrelationId));
        Assert.Empty(_pipeline.Published<Fault<FeatureTableRefreshed>>(runId, m => m.Message.CorrelationId));
    }

    [Fact]
    public async Task A_reply_after_the_run_finished_changes_nothing()
    {
        var runId = await _pipeline.StartRunAsync();
        await _pipeline.PublishAsync(Messages.QualityViolated(runId));
        await _pipeline.WaitForAsync(runId, m => m.Failed);

        var consumed = await ConsumeAsync(Messages.Refreshed(runId));

        Assert.Null(consumed.Exception);
        Assert.Equal("Failed", _pipeline.Saga.Sagas.Contains(runId).CurrentState);
        Assert.Single(_pipeline.Published<PipelineRunFinished>(runId, m => m.CorrelationId));
        Assert.Empty(_pipeline.Published<TrainModel>(runId, m => m.CorrelationId));
    }

    [Fact]
    public async Task A_second_start_of_the_same_run_is_ignored()
    {
        var runId = await _pipeline.StartRunAsync();

        var consumed = await ConsumeAsync(Messages.Start(runId));

        Assert.Null(consumed.Exception);
        Assert.Equal("RefreshingFeatures", _pipeline.Saga.Sagas.Contains(runId).CurrentState);
        Assert.Single(_pipeline.Published<RefreshFeatures>(runId, m => m.CorrelationId));
    }

    [Fact]
    public async Task A_reply_for_a_run_that_does_not_exist_is_discarded()
    {
        var unknownRun = NewId.NextGuid();

        var consumed = await ConsumeAsync(Messages.Registered(unknownRun));

        Assert.Null(consumed.Exception);
        Assert.Null(_pipeline.Saga.Sagas.Contains(unknownRun));
        Assert.Empty(_pipeline.Published<Fault<ModelRegistered>>(unknownRun, m => m.Message.CorrelationId));
    }

    /// <summary>Publishes a message and waits until the saga endpoint has consumed it (or failed to).</summary>
    private async Task<IReceivedMessage> ConsumeAsync<T>(T message)
        where T : class
    {
        var messageId = NewId.NextGuid();
        await _pipeline.Harness.Bus.Publish(message, context => context.MessageId = messageId);
        Assert.True(await _pipeline.Harness.Consumed.Any<T>(m => m.Context.MessageId == messageId), $"{typeof(T).Name} was not consumed");
        return _pipeline.Harness.Consumed.Select<T>(m => m.Context.MessageId == messageId, new CancellationToken(true)).Single();
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();
}
