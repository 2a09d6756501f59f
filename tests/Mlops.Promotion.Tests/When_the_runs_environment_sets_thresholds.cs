using Mlops.Contracts;
using Xunit;

namespace Mlops.Promotion.Tests;

/// <summary>
/// EvaluateChallenger carries the thresholds of the run's environment (Pipeline:Environments:&lt;env&gt;:Thresholds): they
/// replace the service's defaults, a setting for the model itself (Promotion:Models) still wins, and thresholds that could
/// not decide anything fail the evaluation with the reason, over the real broker.
/// </summary>
public sealed class When_the_runs_environment_sets_thresholds(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    [Fact]
    public async Task The_environments_baseline_replaces_the_default_one()
    {
        const string model = "staging.ml.env_baseline";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 1));
        var first = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var strict = Guid.NewGuid();
        var lenient = Guid.NewGuid();

        await EvaluateAsync(strict, model, first.Version, baseline: 0.99, minimumDelta: 0.2);
        var rejected = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == strict)).Single();
        await EvaluateAsync(lenient, model, first.Version);
        var accepted = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == lenient)).Single();

        Assert.False(rejected.Promote);
        Assert.Equal(0.99, rejected.RequiredScore);
        Assert.Contains("falls short of the baseline 0.99", rejected.Reason);
        Assert.True(accepted.Promote, accepted.Reason);
        Assert.Equal(0.7, accepted.RequiredScore);
    }

    [Fact]
    public async Task The_models_own_metric_wins_over_the_environments()
    {
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 2));
        var first = await hosts.Arrange.RegisterAsync(PromotionHosts.LogLossModel, ChurnData.Good(), features, seed: 7);
        var runId = Guid.NewGuid();

        await EvaluateAsync(runId, PromotionHosts.LogLossModel, first.Version, metric: "accuracy");

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("log_loss", evaluated.Metric);
    }

    [Fact]
    public async Task Thresholds_that_cannot_decide_fail_the_evaluation_with_the_reason()
    {
        const string model = "prod.ml.env_bad_thresholds";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 3));
        var first = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var runId = Guid.NewGuid();

        await EvaluateAsync(runId, model, first.Version, metric: "rmse", minimumDelta: -0.5);

        var failed = (await hosts.Replies.WaitAsync<EvaluationFailed>(m => m.CorrelationId == runId)).Single();
        Assert.Contains("EvaluateChallenger:Metric is 'rmse'", failed.Reason);
        Assert.Contains("EvaluateChallenger:MinimumDelta is -0.5", failed.Reason);
        Assert.Equal(0, await hosts.PublishedAsync<ChallengerEvaluated>(runId));
    }

    private Task EvaluateAsync(Guid runId, string model, int version, string? metric = null, double? minimumDelta = null, double? baseline = null) =>
        hosts.PublishAsync(new EvaluateChallenger
        {
            CorrelationId = runId, ModelName = model, Environment = model.Split('.')[0], Principal = "svc-pipeline", Version = version,
            Metric = metric, MinimumDelta = minimumDelta, BaselineThreshold = baseline,
        });
}
