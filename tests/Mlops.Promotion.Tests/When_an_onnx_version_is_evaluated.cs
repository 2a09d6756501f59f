using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Testing.Onnx;
using Xunit;

namespace Mlops.Promotion.Tests;

public sealed class When_an_onnx_version_is_evaluated(PromotionHosts hosts) : IClassFixture<PromotionHosts>
{
    private const int Seed = 7;

    [Fact]
    public async Task An_onnx_challenger_is_scored_on_the_holdout_as_scikit_learn_scores_it_and_beats_a_weak_portable_champion()
    {
        const string model = "dev.ml.churn_onnx_challenger";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(900, seed: 31));
        var champion = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: Seed);
        await hosts.Arrange.SetChampionAsync(model, champion.Version, expected: null);
        var (trained, holdout) = await TrainOnnxAsync(features);
        var challenger = await RegisterOnnxAsync(model, trained, features);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(holdout.RowCount, evaluated.HoldoutRows);
        Assert.Equal(ScikitLearnAuc(trained, holdout), evaluated.ChallengerScore, 9);
        Assert.Equal(Expected.Score(champion.Document, holdout), evaluated.ChampionScore!.Value, 12);
        Assert.True(evaluated.Promote, evaluated.Reason);
        Assert.Equal(challenger, await hosts.Registry.FindAliasAsync(model, ModelAliases.Challenger));
    }

    [Fact]
    public async Task An_onnx_champion_is_scored_through_onnx_runtime_against_a_portable_challenger()
    {
        const string model = "dev.ml.churn_onnx_champion";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(900, seed: 32));
        var (trained, holdout) = await TrainOnnxAsync(features);
        var champion = await RegisterOnnxAsync(model, trained, features);
        await hosts.Arrange.SetChampionAsync(model, champion, expected: null);
        var challenger = await hosts.Arrange.RegisterAsync(model, ChurnData.NoiseOnly(), features, seed: Seed);
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger.Version);

        var evaluated = (await hosts.Replies.WaitAsync<ChallengerEvaluated>(m => m.CorrelationId == runId)).Single();
        Assert.Equal(champion, evaluated.ChampionVersion);
        Assert.Equal(ScikitLearnAuc(trained, holdout), evaluated.ChampionScore!.Value, 9);
        Assert.Equal(Expected.Score(challenger.Document, holdout), evaluated.ChallengerScore, 12);
        Assert.False(evaluated.Promote);
        await hosts.Replies.WaitAsync<PromotionRejected>(m => m.CorrelationId == runId);
    }

    [Theory]
    [InlineData("zipmap", "'s model cannot be loaded: Output output_probability is a sequence of maps (a ZipMap)")]
    [InlineData("three_classes", "'s model cannot be loaded: Output probabilities has shape [N, 3]: 3 classes")]
    [InlineData("int64_input", "'s model cannot be loaded: Input a holds Int64")]
    [InlineData("float_matrix_score", " cannot score churn_features version {0}: The data has no double column a that the model needs.")]
    public async Task An_onnx_challenger_that_cannot_score_the_holdout_fails_the_evaluation_with_the_reason(string variant, string reason)
    {
        var model = $"dev.ml.churn_onnx_{variant}";
        var features = await hosts.Arrange.WriteFeaturesAsync(ChurnData.Frame(300, seed: 33));
        var (challenger, _) = await hosts.Arrange.RegisterAsync(model, new ModelSignature { Inputs = [new SignatureColumn("a", SignatureColumn.Double)] },
            features, Seed, ModelFormats.Onnx, await OnnxExamples.VariantAsync(variant));
        var runId = Guid.NewGuid();

        await hosts.EvaluateAsync(runId, model, challenger);

        var failed = (await hosts.Replies.WaitAsync<EvaluationFailed>(m => m.CorrelationId == runId)).Single();
        Assert.StartsWith($"v{challenger}{string.Format(CultureInfo.InvariantCulture, reason, features)}", failed.Reason);
        Assert.Equal(0, await hosts.PublishedAsync<ChallengerEvaluated>(runId));
        Assert.Null(await hosts.Registry.FindAliasAsync(model, ModelAliases.Challenger));
    }

    /// <summary>Trains the example ONNX trainer on the feature version's train and validation splits and has scikit-learn score its holdout.</summary>
    private async Task<(OnnxTrainerRun Trained, FeatureFrame Holdout)> TrainOnnxAsync(int featureVersion)
    {
        var frame = await hosts.Services.GetRequiredService<FeatureStore>().ReadVersionAsync(ChurnData.Table, featureVersion);
        var split = new DatasetSplit(Seed);
        var holdout = await Expected.HoldoutAsync(hosts.Services, featureVersion, Seed);
        var trained = await OnnxExamples.TrainAsync(frame.Rows(split.Rows(frame.EntityIds, Partition.Train)), frame.Rows(split.Rows(frame.EntityIds, Partition.Validation)),
            holdout, ChurnData.Table.EntityColumn, ChurnData.Table.LabelColumn!);
        return (trained, holdout);
    }

    private async Task<int> RegisterOnnxAsync(string model, OnnxTrainerRun trained, int featureVersion)
    {
        using var loaded = OnnxModel.Load(trained.Model);
        Assert.Equal(ChurnData.Table.Columns.Select(c => c.Name), loaded.Inputs.Select(i => i.Name));
        var (version, _) = await hosts.Arrange.RegisterAsync(model, new ModelSignature { Inputs = loaded.Inputs }, featureVersion, Seed, ModelFormats.Onnx,
            trained.Model);
        return version;
    }

    private static double ScikitLearnAuc(OnnxTrainerRun trained, FeatureFrame holdout) =>
        ClassificationMetrics.Compute(holdout.Labels!, holdout.EntityIds.Select(id => trained.Predictions[id]).ToArray()).Get("auc");
}
