using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_batches_land_in_several_environments(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    private static IReadOnlyList<ChurnCustomer> Customers(int rows, int seed) =>
        ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = rows, Seed = seed });

    [Fact]
    public async Task A_prod_run_reads_the_latest_prod_batch_never_a_later_dev_one()
    {
        var prodBatch = await environment.LandAsync(Customers(350, 21), "prod");
        var devBatch = await environment.LandAsync(Customers(450, 22), "dev");
        var command = environment.Command(Guid.NewGuid(), null) with { ModelName = "prod.ml.churn", Environment = "prod" };

        var refreshed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(command));

        Assert.Equal([prodBatch], refreshed.RawBatchIds);
        Assert.DoesNotContain(devBatch, refreshed.RawBatchIds);
        var version = await environment.FeatureStore.FindVersionAsync("churn_features", refreshed.FeatureVersion);
        Assert.Equal(("prod", 350L), (version!.Environment, version.RowCount));
    }

    [Fact]
    public async Task A_staging_run_that_names_a_dev_batch_is_refused_with_the_reason_and_writes_nothing()
    {
        var devBatch = await environment.LandAsync(Customers(300, 23), "dev");
        var command = environment.Command(Guid.NewGuid(), devBatch) with { ModelName = "staging.ml.churn", Environment = "staging" };

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(command));

        Assert.Contains($"Raw batch {devBatch} belongs to dev, not to staging", failed.Reason);
        Assert.Empty(await environment.Database.QueryAsync<int>(
            "SELECT version FROM features.table_versions WHERE pipeline_run_id = @runId", new { runId = command.CorrelationId }));
    }

    [Fact]
    public async Task An_environment_without_batches_of_its_own_has_nothing_to_compute_from()
    {
        await environment.LandAsync(Customers(300, 24), "dev");
        var command = environment.Command(Guid.NewGuid(), null) with { ModelName = "staging.ml.churn", Environment = "staging" };

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(command));

        Assert.Contains("has no batches in staging", failed.Reason);
    }
}
