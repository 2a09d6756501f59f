using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_model_retrains_on_new_data_until_it_has_a_champion(LongDeadlines pipeline) : IClassFixture<LongDeadlines>
{
    [Fact]
    public async Task The_first_batch_starts_its_first_run_and_a_batch_after_it_has_a_champion_only_lands()
    {
        var firstBatch = Guid.NewGuid();
        var first = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Batch(firstBatch)));
        Assert.Equal(firstBatch, (await pipeline.RunAsync(first, "Completed")).RawBatchId);

        var champion = await MakeChampionAsync(TestModels.Bootstrap);
        var later = await pipeline.TriggerAsync(Batch(Guid.NewGuid()));

        var admitted = Assert.Single(await pipeline.AdmittedAsync(later));
        Assert.Equal(("raw_data_landed", TestModels.Bootstrap, "ignored", (Guid?)null), (admitted.Kind, admitted.ModelName, admitted.Disposition, admitted.RunId));
        Assert.Equal(
            $"{TestModels.Bootstrap} has a champion (version {champion}) and OnNewData is RetrainUntilChampion: new data only lands; " +
            "drift, degraded performance, the schedule, code releases and manual requests retrain it.",
            admitted.Detail);
        Assert.Equal(1L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE data->>'modelName' = @model", new { model = TestModels.Bootstrap }));
    }

    private static RawDataLanded Batch(Guid batchId) => new()
    {
        Environment = "dev", Principal = "ingest", BatchId = batchId, SourceTable = TestModels.BootstrapLanding, RowCount = 500,
    };

    /// <summary>What the promotion service does at the end of a real run: a registered version becomes the champion.</summary>
    private async Task<int> MakeChampionAsync(string model)
    {
        await using var scope = pipeline.Orchestrators[0].Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        var registry = scope.ServiceProvider.GetRequiredService<ModelRegistry>();
        await session.BeginAsync();
        var version = await registry.RegisterVersionAsync(session, new NewModelVersion
        {
            ModelName = ModelName.Parse(model), Signature = new ModelSignature { Inputs = [new SignatureColumn("tenure_months", SignatureColumn.Double)] },
            TrainingRunId = Guid.NewGuid(), ArtifactSha256 = "ab12", CodeVersion = "builtin", Trainer = "logistic_regression",
            FeatureTable = "churn_features", FeatureVersion = 1, RawBatchIds = [], Metrics = new Dictionary<string, double> { ["auc"] = 0.8 },
            Principal = "training",
        });
        await registry.SetAliasAsync(session, model, ModelAliases.Champion, version, expected: null, "promotion", "the first model");
        await session.CommitAsync();
        return version;
    }
}
