using Mlops.Catalog.Features;
using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

/// <summary>
/// A restored feature table version is the environment's current one: the next run's refresh answers with it rather than
/// recomputing from the batch the restore turned away from, until a new batch lands in that environment.
/// </summary>
public sealed class When_a_feature_table_was_restored(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    private static IReadOnlyList<ChurnCustomer> Customers(int rows, int seed) =>
        ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = rows, Seed = seed });

    private RefreshFeatures Staging(Guid? batchId = null) =>
        environment.Command(Guid.NewGuid(), batchId) with { ModelName = "staging.ml.churn", Environment = "staging" };

    [Fact]
    public async Task The_next_run_trains_on_the_restored_version_until_new_data_lands()
    {
        var goodBatch = await environment.LandAsync(Customers(320, 31), "staging");
        var good = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Staging()));
        await environment.LandAsync(Customers(340, 32), "staging");
        var bad = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Staging()));
        var restored = await RestoreAsync(good.FeatureVersion, "staging");
        await environment.LandAsync(Customers(360, 33), "dev");

        var versionsBefore = await VersionCountAsync();
        var afterRestore = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Staging()));
        var versionsAfter = await VersionCountAsync();
        var newBatch = await environment.LandAsync(Customers(380, 34), "staging");
        var afterNewData = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Staging()));

        Assert.NotEqual(good.FeatureVersion, bad.FeatureVersion);
        Assert.Equal((restored.Version.Version, 320L), (afterRestore.FeatureVersion, afterRestore.RowCount));
        Assert.Equal([goodBatch], afterRestore.RawBatchIds);
        Assert.Equal(versionsBefore, versionsAfter);
        Assert.True(afterNewData.FeatureVersion > restored.Version.Version);
        Assert.Equal([newBatch], afterNewData.RawBatchIds);
        Assert.Equal(380L, afterNewData.RowCount);
    }

    [Fact]
    public async Task A_run_that_names_its_batch_computes_from_it_even_after_a_restore()
    {
        var first = await environment.LandAsync(Customers(300, 41), "prod");
        var computed = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Staging() with { ModelName = "prod.ml.churn", Environment = "prod" }));
        var second = await environment.LandAsync(Customers(310, 42), "prod");
        await environment.RefreshAsync(Staging(second) with { ModelName = "prod.ml.churn", Environment = "prod" });
        var restored = await RestoreAsync(computed.FeatureVersion, "prod");

        var named = Assert.IsType<FeatureTableRefreshed>(await environment.RefreshAsync(Staging(second) with { ModelName = "prod.ml.churn", Environment = "prod" }));

        Assert.Equal([first], restored.Version.RawBatchIds);
        Assert.True(named.FeatureVersion > restored.Version.Version);
        Assert.Equal([second], named.RawBatchIds);
    }

    /// <summary>Restores as the API does it, under the API's own database role.</summary>
    private async Task<FeatureVersionEntry> RestoreAsync(int version, string environmentName)
    {
        await using var session = environment.SessionAs("api");
        await session.BeginAsync();
        var restored = await new FeatureTimeTravel(environment.DataSourceAs("api"))
            .RestoreAsync(session, "churn_features", environmentName, version, "tests", "the later batch was bad");
        await session.CommitAsync();
        return restored;
    }

    private Task<long> VersionCountAsync() =>
        environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions WHERE table_name = 'churn_features'");
}
