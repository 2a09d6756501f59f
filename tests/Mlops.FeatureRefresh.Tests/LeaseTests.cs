using Mlops.Contracts;
using Mlops.FeatureRefresh.Consumers;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Simulator;
using Mlops.Testing;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_a_refresh_takes_longer_than_a_message_may_wait(SlowFeatureRefreshEnvironment environment) : IClassFixture<SlowFeatureRefreshEnvironment>
{
    private const string Step = RefreshFeaturesStep.Name;

    [Fact]
    public async Task The_command_is_acknowledged_before_the_refresh_ends_and_a_repeat_writes_nothing_twice()
    {
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 800, Seed = 51 }));
        var command = environment.Command(Guid.NewGuid(), batchId);
        var before = await environment.Broker.AcknowledgedAsync(environment.VirtualHost, "refresh-features");

        await environment.PublishAsync(command);
        await environment.Database.StepWorkingAsync(command.CorrelationId, Step);
        await environment.PublishAsync(command);
        // Both acknowledged, nothing ready or unacknowledged in the queue, while the step still works and nothing is written yet.
        await Eventually.WaitAsync(async () => (await environment.Broker.AcknowledgedAsync(environment.VirtualHost, "refresh-features"),
                await environment.Broker.QueueDepthAsync(environment.VirtualHost, "refresh-features"),
                (await environment.Database.StepLeaseAsync(command.CorrelationId, Step))!.Status, await VersionsAsync(command)),
            seen => seen.Item1 >= before + 2 && seen.Item2 == 0 && seen.Item3 == "open" && seen.Item4 == 0,
            "both commands acknowledged and none left in refresh-features while the refresh still works");

        var answer = Assert.IsType<FeatureTableRefreshed>((await environment.Recorded.WaitForAnswersAsync(command.CorrelationId)).Single());
        var lease = await environment.Database.StepLeaseAsync(command.CorrelationId, Step);
        Assert.Equal(("done", 1), (lease!.Status, lease.Attempt));
        Assert.Equal(1, await VersionsAsync(command));
        Assert.Equal(800, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.churn_features WHERE version = @FeatureVersion", answer));
        Assert.Single(environment.Recorded.AnswersTo(command.CorrelationId));
    }

    [Fact]
    public async Task A_lease_whose_owner_died_is_taken_again_and_writes_exactly_one_version()
    {
        var batchId = await environment.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 500, Seed = 52 }));
        var command = environment.Command(Guid.NewGuid(), batchId);
        await environment.Database.PlantStepLeaseAsync(command.CorrelationId, Step, command, "feature-refresh@dead-host/4242/0badc0de",
            TimeSpan.FromSeconds(-30));

        var answer = Assert.IsType<FeatureTableRefreshed>((await environment.Recorded.WaitForAnswersAsync(command.CorrelationId)).Single());

        var lease = await environment.Database.StepLeaseAsync(command.CorrelationId, Step);
        Assert.Equal(("done", 2), (lease!.Status, lease.Attempt));
        Assert.StartsWith("feature-refresh@", lease.Owner);
        Assert.Equal(1, await VersionsAsync(command));
        Assert.Equal(500, answer.RowCount);
    }

    private Task<long> VersionsAsync(RefreshFeatures command) => environment.Database.ScalarAsync<long>(
        "SELECT count(*) FROM features.table_versions WHERE pipeline_run_id = @CorrelationId", command);
}
