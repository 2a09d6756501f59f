using MassTransit;
using Mlops.Contracts;
using Mlops.Orchestrator.Sagas;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_a_step_fails : IAsyncLifetime
{
    private sealed record Failure(
        Func<DeployCodePipelineStateMachine, State> Step, Func<Guid, object> Reply, Func<DeployCodePipelineStateMachine, State> Outcome, string Reason);

    private static readonly Dictionary<string, Failure> Failures = new()
    {
        ["data quality violated"] = new(m => m.RefreshingFeatures, Messages.QualityViolated, m => m.Failed,
            "Data quality violated in churn_features: tenure_months null rate 0.42 exceeds 0.05; monthly_charges min -3 below 0"),
        ["feature refresh failed"] = new(m => m.RefreshingFeatures, Messages.RefreshFailed, m => m.Failed,
            "Feature refresh of churn_features failed: raw batch 42 not found"),
        ["training failed"] = new(m => m.Training, Messages.TrainingFailed, m => m.Failed,
            "Training failed: trainer exited with code 3"),
        ["compliance check failed"] = new(m => m.CheckingCompliance, Messages.ComplianceFailed, m => m.Rejected,
            "Version 4 failed compliance (enforced): required_tag:pii: tag pii is missing"),
        ["challenger not better"] = new(m => m.Evaluating, id => Messages.Evaluated(id, promote: false), m => m.Rejected,
            "Version 4 not promoted: auc 0.70 is below the required 0.79"),
        ["evaluation failed"] = new(m => m.Evaluating, Messages.EvaluationFailed, m => m.Failed,
            "Evaluation of version 4 failed: artifact ab12 failed its integrity check"),
        ["promotion rejected"] = new(m => m.Promoting, Messages.PromotionRejected, m => m.Rejected,
            "Promotion of version 4 rejected: the champion is version 5, not 3: another run promoted meanwhile"),
    };

    public static TheoryData<string> Cases => [.. Failures.Keys];

    private PipelineHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PipelineHarness.StartAsync();

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_run_ends_with_the_workers_reason_and_says_so(string failure)
    {
        var (step, reply, outcome, reason) = Failures[failure];
        var runId = await _pipeline.StartRunAsync();
        await _pipeline.AdvanceAsync(runId, step);

        await _pipeline.PublishAsync(reply(runId));

        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));
        Assert.Equal((outcome(_pipeline.Machine).Name, reason), (finished.Outcome, finished.Reason));

        var run = await _pipeline.WaitForAsync(runId, outcome);
        Assert.Equal(reason, run.FailureReason);
        Assert.NotNull(run.FinishedAt);
        Assert.Null(run.StepDeadlineTokenId);
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();
}
