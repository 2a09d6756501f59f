using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_monitoring_reports_data_quality : IAsyncLifetime
{
    private PipelineHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PipelineHarness.StartAsync();

    [Fact]
    public async Task A_run_refreshing_features_does_not_take_it_for_its_reply()
    {
        var runId = await _pipeline.StartRunAsync();

        // Even with the run's id (monitoring's alert ids never are one): the source says it is no reply.
        await _pipeline.PublishAsync(Messages.MonitoringQualityAlert(runId));
        await WaitConsumedAsync(runId);
        Assert.Equal("RefreshingFeatures", _pipeline.Saga.Sagas.Contains(runId).CurrentState);

        await _pipeline.PublishAsync(Messages.Refreshed(runId));
        var run = await _pipeline.WaitForAsync(runId, m => m.Training);
        Assert.Null(run.FailureReason);
        Assert.Empty(_pipeline.Published<PipelineRunFinished>(runId, m => m.CorrelationId));
    }

    [Fact]
    public async Task An_alert_about_no_run_is_consumed_without_a_fault_or_a_run()
    {
        var alertId = Guid.NewGuid();

        await _pipeline.PublishAsync(Messages.MonitoringQualityAlert(alertId));

        await WaitConsumedAsync(alertId);
        Assert.Null(_pipeline.Saga.Sagas.Contains(alertId));
        Assert.False(await _pipeline.Harness.Published.Any<MassTransit.Fault<DataQualityViolated>>());
    }

    [Fact]
    public async Task The_feature_refresh_verdict_still_fails_the_run()
    {
        var runId = await _pipeline.StartRunAsync();

        await _pipeline.PublishAsync(Messages.QualityViolated(runId));

        var run = await _pipeline.WaitForAsync(runId, m => m.Failed);
        Assert.StartsWith("Data quality violated in churn_features", run.FailureReason);
    }

    private Task WaitConsumedAsync(Guid id) =>
        Eventually.WaitAsync(() => Task.FromResult(_pipeline.Harness.Consumed.Select<DataQualityViolated>(new CancellationToken(true)).Any(m => m.Context.Message.CorrelationId == id)),
            "the saga consumed the monitoring alert", TimeSpan.FromSeconds(20));

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();
}
