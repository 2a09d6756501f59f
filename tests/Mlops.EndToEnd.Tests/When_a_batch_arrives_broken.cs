using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Testing;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>A broken batch on a platform of its own: the newest batch is what later runs read, so it would spoil the other scenarios.</summary>
public sealed class When_a_batch_arrives_broken(PlatformFixture platform) : IClassFixture<PlatformFixture>
{
    [Fact]
    public async Task A_batch_with_20_percent_nulls_stops_the_run_with_DataQualityViolated()
    {
        var batch = await platform.Lander.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 4_000, Seed = 11, NullRate = 0.2 }),
            "dev", "e2e-upstream", "a billing outage");
        var run = await platform.FinishedRunAsync(() => platform.RunStartedByDetailAsync(batch.ToString()), "the broken batch");

        Assert.Equal("Failed", run.CurrentState);
        Assert.Contains("monthly_charges is null", run.FailureReason);
        Assert.Null(run.ModelVersion);
        // The saga and the test's observer read the event from queues of their own: the run can end before the observer has it.
        await Eventually.WaitAsync(() => Task.FromResult(platform.Events.Of<DataQualityViolated>()
            .Any(e => e.CorrelationId == run.CorrelationId && e.Source == "feature_refresh")), "the run's DataQualityViolated from feature_refresh");
        Assert.Null(await platform.Upstream.Services.GetRequiredService<ModelRegistry>().FindAliasAsync(PlatformFixture.Model, ModelAliases.Champion));
        Assert.Equal(0, await platform.Database.ScalarAsync<long>("SELECT count(*) FROM features.table_versions"));
    }
}
