using Mlops.Contracts;
using Mlops.Orchestrator.Sagas;
using Xunit;

namespace Mlops.Orchestrator.Tests.StateMachine;

public sealed class When_every_step_succeeds : IAsyncLifetime
{
    private PipelineHarness _pipeline = null!;

    public async Task InitializeAsync() => _pipeline = await PipelineHarness.StartAsync();

    [Fact]
    public async Task A_new_run_asks_for_its_feature_table_to_be_refreshed_from_its_batch()
    {
        var runId = await _pipeline.StartRunAsync();

        var refresh = Assert.Single(await _pipeline.WaitForPublishedAsync<RefreshFeatures>(runId, m => m.CorrelationId, 1));
        Assert.Equal(("churn_features", "raw.churn_customers", Messages.Start(runId).RawBatchId), (refresh.FeatureTable, refresh.SourceTable, refresh.RawBatchId));
        Assert.Equal(("dev.ml.churn", "dev", "alice"), (refresh.ModelName, refresh.Environment, refresh.Principal));

        var run = _pipeline.Saga.Sagas.Contains(runId);
        Assert.Equal(("manual", "4f1c2e9", "logistic_regression"), (run.Trigger, run.CodeVersion, run.Trainer));
        Assert.Equal(1, run.StepAttempt);
        Assert.NotNull(run.StepDeadlineTokenId);
    }

    [Fact]
    public async Task Refreshed_features_are_trained_on_at_the_version_written_with_the_runs_code()
    {
        var runId = await _pipeline.StartRunAsync();

        await _pipeline.PublishAsync(Messages.Refreshed(runId));

        var run = await _pipeline.WaitForAsync(runId, m => m.Training);
        var train = Assert.Single(await _pipeline.WaitForPublishedAsync<TrainModel>(runId, m => m.CorrelationId, 1));
        Assert.Equal((Messages.FeatureVersion, "4f1c2e9", "logistic_regression"), (train.FeatureVersion, train.CodeVersion, train.Trainer));
        Assert.Equal("0.01", train.Parameters["l2"]);
        Assert.Equal("false", train.Tags["pii"]);
        Assert.Equal(Messages.FeatureVersion, run.FeatureVersion);
    }

    [Fact]
    public async Task A_registered_version_is_checked_for_compliance()
    {
        var runId = await _pipeline.StartRunAsync();

        var run = await _pipeline.AdvanceAsync(runId, m => m.CheckingCompliance);

        var check = Assert.Single(await _pipeline.WaitForPublishedAsync<CheckCompliance>(runId, m => m.CorrelationId, 1));
        Assert.Equal(Messages.ModelVersion, check.Version);
        Assert.Equal(0.81, run.ValidationMetrics["auc"]);
    }

    [Fact]
    public async Task A_compliant_version_is_evaluated_against_the_champion()
    {
        var runId = await _pipeline.StartRunAsync();

        var run = await _pipeline.AdvanceAsync(runId, m => m.Evaluating);

        var evaluate = Assert.Single(await _pipeline.WaitForPublishedAsync<EvaluateChallenger>(runId, m => m.CorrelationId, 1));
        Assert.Equal(Messages.ModelVersion, evaluate.Version);
        Assert.Equal("enforced", run.ComplianceMode);
    }

    [Fact]
    public async Task A_better_challenger_is_promoted_only_over_the_champion_the_evaluation_saw()
    {
        var runId = await _pipeline.StartRunAsync();

        var run = await _pipeline.AdvanceAsync(runId, m => m.Promoting);

        var promote = Assert.Single(await _pipeline.WaitForPublishedAsync<PromoteModel>(runId, m => m.CorrelationId, 1));
        Assert.Equal((Messages.ModelVersion, Messages.Champion, "alice"), (promote.Version, promote.ExpectedChampionVersion, promote.Principal));
        Assert.Equal(Messages.Champion, run.ChampionBefore);
        Assert.Equal(("auc", 0.81, 0.78, 0.79, 1000), (run.Evaluation!.Metric, run.Evaluation.ChallengerScore, run.Evaluation.ChampionScore,
            run.Evaluation.RequiredScore, run.Evaluation.HoldoutRows));
    }

    [Fact]
    public async Task The_promotion_completes_the_run_and_announces_the_new_champion()
    {
        var runId = await _pipeline.StartRunAsync();

        var run = await _pipeline.AdvanceAsync(runId, m => m.Completed);

        var finished = Assert.Single(await _pipeline.WaitForPublishedAsync<PipelineRunFinished>(runId, m => m.CorrelationId, 1));
        Assert.Equal(("Completed", Messages.ModelVersion, Messages.ModelVersion), (finished.Outcome, finished.ModelVersion, finished.ChampionVersion));
        Assert.Null(finished.Reason);
        Assert.Equal(Messages.ModelVersion, run.ChampionAfter);
        Assert.NotNull(run.FinishedAt);
        Assert.Null(run.StepDeadlineTokenId);
        Assert.Equal(
            ["Initial", "RefreshingFeatures", "Training", "CheckingCompliance", "Evaluating", "Promoting", "Completed"],
            run.History.Select(h => h.State).Distinct());
    }

    public async Task DisposeAsync() => await _pipeline.DisposeAsync();
}
