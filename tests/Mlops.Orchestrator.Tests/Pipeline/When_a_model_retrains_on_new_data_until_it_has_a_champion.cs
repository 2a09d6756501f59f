using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_a_model_retrains_on_new_data_until_it_has_a_champion(LongDeadlines pipeline) : IClassFixture<LongDeadlines>
{
    [Fact]
    public async Task The_first_batch_starts_its_first_run_and_a_batch_after_it_has_a_champion_only_lands()
    {
        var firstBatch = Guid.NewGuid();
        var first = await pipeline.StartedRunAsync(await pipeline.LandAsync(Batch(firstBatch)));
        Assert.Equal(firstBatch, (await pipeline.RunAsync(first, "Completed")).RawBatchId);

        var champion = await pipeline.PromoteNewVersionAsync(TestModels.Bootstrap);
        var later = await pipeline.LandAsync(Batch(Guid.NewGuid()));

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
}
