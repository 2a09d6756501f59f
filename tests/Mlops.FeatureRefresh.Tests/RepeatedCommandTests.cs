using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_a_refresh_is_sent_again_for_the_same_run(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task It_answers_with_the_same_version_and_writes_nothing()
    {
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 1_000, Seed = 41 }));
        var command = environment.Command(Guid.NewGuid(), batchId);
        var first = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(command));

        await environment.PublishAsync(command);
        var answers = await environment.Recorded.WaitForAnswersAsync(command.CorrelationId, count: 2);

        var again = Assert.IsType<FeatureTableRefreshed>(answers[1]);
        Assert.Equal((first.FeatureVersion, first.RowCount), (again.FeatureVersion, again.RowCount));
        Assert.Equal(first.RawBatchIds, again.RawBatchIds);
        Assert.Equal(first.Statistics, again.Statistics);
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.table_versions WHERE table_name = 'churn_features' AND pipeline_run_id = @CorrelationId", command));
        Assert.Equal(1_000, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.churn_features WHERE version = @FeatureVersion", first));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.quality_results WHERE pipeline_run_id = @CorrelationId", command));
    }

    [Fact]
    public async Task One_refused_for_its_data_is_refused_again_with_the_same_reasons()
    {
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 1_000, Seed = 42, NullRate = 0.3 }));
        var command = environment.Command(Guid.NewGuid(), batchId);
        var first = Assert.IsType<DataQualityViolated>(await environment.RefreshAsync(command));

        await environment.PublishAsync(command);
        var answers = await environment.Recorded.WaitForAnswersAsync(command.CorrelationId, count: 2);

        Assert.Equal(first.Violations, Assert.IsType<DataQualityViolated>(answers[1]).Violations);
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM features.quality_results WHERE pipeline_run_id = @CorrelationId", command));
    }
}
