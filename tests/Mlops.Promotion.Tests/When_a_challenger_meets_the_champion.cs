using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_a_challenger_meets_the_champion(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    [Fact]
    public async Task Both_are_scored_on_the_same_holdout_rows_of_the_challengers_features_and_seed()
    {
        const string model = "dev.ml.churn_same_rows";
        var championFeatures = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 1));
        var champion = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), championFeatures, seed: 42);
        await hosts.Arrange.SetChampionAsync(model, champion.Version, expected: null);
        var challengerFeatures = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 2));
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), challengerFeatures, seed: 7);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        var holdout = await Expected.HoldoutAsync(hosts.Services, challengerFeatures, seed: 7);
        Assert.Equal(holdout.RowCount, evaluated.HoldoutRows);
        Assert.Equal(Expected.Score(challenger.Document, holdout), evaluated.ChallengerScore, 12);
        Assert.Equal(Expected.Score(champion.Document, holdout), evaluated.ChampionScore!.Value, 12);
        // The champion's own training split or features would have given other numbers: the test tells them apart.
        var otherRows = await Expected.HoldoutAsync(hosts.Services, challengerFeatures, seed: 42);
        Assert.NotEqual(Expected.Score(champion.Document, otherRows), evaluated.ChampionScore!.Value, 12);

        Assert.Equal(champion.Version, evaluated.ChampionVersion);
        Assert.Equal("auc", evaluated.Metric);
        Assert.Equal(evaluated.ChampionScore.Value + 0.005, evaluated.RequiredScore, 12);
        Assert.False(evaluated.Promote);
        var rejected = (await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == runId)).Single();
        Assert.Contains($"against champion v{champion.Version}", rejected.Reason);
        Assert.Equal(champion.Version, await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        Assert.Null(await hosts.Registry.FindAliasAsync(model, ModelAliases.Challenger));
        Assert.Empty(await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Challenger));
    }

    [Fact]
    public async Task A_rejected_version_never_becomes_challenger_and_the_challenger_accepted_before_stays()
    {
        const string model = "dev.ml.churn_rejected_later";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 8));
        var champion = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: 7);
        await hosts.Arrange.SetChampionAsync(model, champion.Version, expected: null);
        var accepted = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var rejected = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: 7);
        var acceptedRun = Guid.NewGuid();
        await hosts.EvaluateAsync(acceptedRun, model, accepted.Version);
        Assert.True((await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == acceptedRun)).Single().Promote);
        var rejectedRun = Guid.NewGuid();

        await hosts.EvaluateAsync(rejectedRun, model, rejected.Version);

        Assert.False((await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == rejectedRun)).Single().Promote);
        await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == rejectedRun);
        Assert.Equal(accepted.Version, await hosts.Registry.FindAliasAsync(model, ModelAliases.Challenger));
        Assert.DoesNotContain(await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Challenger), change => change.ToVersion == rejected.Version);
    }

    [Fact]
    public async Task A_better_challenger_is_to_be_promoted()
    {
        const string model = "dev.ml.churn_better";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 3));
        var champion = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: 7);
        await hosts.Arrange.SetChampionAsync(model, champion.Version, expected: null);
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.True(evaluated.Promote, evaluated.Reason);
        Assert.Equal(champion.Version, evaluated.ChampionVersion);
        Assert.True(evaluated.ChallengerScore >= evaluated.RequiredScore);
        Assert.Equal(0, await hosts.PublishedAsync<PromotionRejected>(runId));
        Assert.Equal(champion.Version, await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }

    [Fact]
    public async Task A_challenger_no_better_than_the_margin_is_rejected()
    {
        const string model = "dev.ml.churn_margin";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 4));
        var champion = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        await hosts.Arrange.SetChampionAsync(model, champion.Version, expected: null);
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(intercept: 0.3), features, seed: 7);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(evaluated.ChampionScore!.Value, evaluated.ChallengerScore, 12);
        Assert.False(evaluated.Promote);
        Assert.Contains("falls short of the required", evaluated.Reason);
        await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == runId);
    }

    [Fact]
    public async Task On_log_loss_lower_is_better()
    {
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 5));
        var champion = await hosts.Arrange.RegisterAsync(PromotionHosts.LogLossModel, ChurnData.Good(intercept: 1.5), features, seed: 7);
        await hosts.Arrange.SetChampionAsync(PromotionHosts.LogLossModel, champion.Version, expected: null);
        var challenger = await hosts.Arrange.RegisterAsync(PromotionHosts.LogLossModel, ChurnData.Good(), features, seed: 7);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, PromotionHosts.LogLossModel, challenger.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.Equal("log_loss", evaluated.Metric);
        Assert.True(evaluated.ChallengerScore < evaluated.ChampionScore!.Value);
        Assert.Equal(evaluated.ChampionScore.Value - 0.005, evaluated.RequiredScore, 12);
        Assert.True(evaluated.Promote, evaluated.Reason);
    }

    [Fact]
    public async Task Evaluating_again_gives_the_same_decision_and_moves_the_challenger_alias_once()
    {
        const string model = "dev.ml.churn_again";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 6));
        var champion = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: 7);
        await hosts.Arrange.SetChampionAsync(model, champion.Version, expected: null);
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var runId = Guid.NewGuid();
        await hosts.EvaluateAsync(runId, model, challenger.Version);
        await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId);

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var replies = await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId, count: 2);
        Assert.Equal(replies[0], replies[1]);
        Assert.Single(await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Challenger));
    }
}
