using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Telemetry;
using Mlops.Testing;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_there_is_no_champion_yet(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    [Fact]
    public async Task A_first_version_above_the_baseline_is_to_be_promoted_and_becomes_the_challenger()
    {
        const string model = "dev.ml.churn_first";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 1));
        var first = await hosts.Arrange.RegisterAsync(model, ChurnData.Good(), features, seed: 7);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, first.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        var holdout = await Expected.HoldoutAsync(hosts.Services, features, seed: 7);
        Assert.True(evaluated.Promote, evaluated.Reason);
        Assert.Null(evaluated.ChampionVersion);
        Assert.Null(evaluated.ChampionScore);
        Assert.Equal(0.7, evaluated.RequiredScore);
        Assert.Equal(holdout.RowCount, evaluated.HoldoutRows);
        Assert.Equal(Expected.Score(first.Document, holdout), evaluated.ChallengerScore, 12);
        Assert.Contains("no champion yet", evaluated.Reason);
        Assert.Equal(0, await hosts.PublishedAsync<PromotionRejected>(runId));

        Assert.Equal(first.Version, await hosts.Registry.FindAliasAsync(model, ModelAliases.Challenger));
        Assert.Null(await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
        var change = Assert.Single(await hosts.Registry.AliasHistoryAsync(model, ModelAliases.Challenger));
        Assert.Equal((null, first.Version, runId), (change.FromVersion, change.ToVersion, change.PipelineRunId));

        var span = await Eventually.WaitAsync(() => Task.FromResult(hosts.Spans.Spans.FirstOrDefault(s =>
            s.OperationName == "evaluate" && Equals(s.GetTagItem(MlopsTelemetry.RunIdTag), runId.ToString()))), s => s is not null, "the evaluate span");
        Assert.Equal(model, span!.GetTagItem(MlopsTelemetry.ModelTag));
    }

    [Fact]
    public async Task A_first_version_below_the_baseline_is_rejected()
    {
        const string model = "dev.ml.churn_weak";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(600, seed: 1));
        var first = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: 7);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, first.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.False(evaluated.Promote);
        Assert.True(evaluated.ChallengerScore < 0.7, $"the noise-only model scored {evaluated.ChallengerScore}");
        var rejected = (await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(first.Version, rejected.Version);
        Assert.Equal(evaluated.Reason, rejected.Reason);
        Assert.Contains("falls short of the baseline 0.7", rejected.Reason);
        Assert.Null(await hosts.Registry.FindAliasAsync(model, ModelAliases.Champion));
    }
}
