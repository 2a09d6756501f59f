using Mlops.Contracts;
using Mlops.FeatureRefresh.Tests.Support;
using Mlops.Testing;
using Xunit;

namespace Mlops.FeatureRefresh.Tests;

public sealed class When_the_command_names_what_does_not_exist(FeatureRefreshEnvironment environment) : IClassFixture<FeatureRefreshEnvironment>
{
    [Fact]
    public async Task An_unknown_feature_table_fails_the_step_with_the_reason()
    {
        var command = environment.Command(Guid.NewGuid(), null) with { FeatureTable = "fraud_features" };

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(command));

        Assert.Equal("Feature table 'fraud_features' has no registered definition: register its YAML with mlops features register --file <table>.yaml (docs/features.md).",
            failed.Reason);
        Assert.Equal(("fraud_features", FeatureRefreshEnvironment.Model), (failed.FeatureTable, failed.ModelName));
    }

    [Fact]
    public async Task A_batch_that_does_not_exist_fails_the_step_with_the_reason()
    {
        var batchId = Guid.NewGuid();

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), batchId)));

        Assert.Equal($"Raw batch {batchId} does not exist.", failed.Reason);
    }

    [Fact]
    public async Task A_source_table_without_batches_fails_the_step_with_the_reason()
    {
        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(environment.Command(Guid.NewGuid(), null)));

        Assert.Equal("Source table raw.churn_customers has no batches in dev to compute churn_features from.", failed.Reason);
    }

    [Fact]
    public async Task A_source_table_the_feature_table_is_not_computed_from_fails_the_step_with_the_reason()
    {
        var command = environment.Command(Guid.NewGuid(), null) with { SourceTable = "raw.fraud_events" };

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(command));

        Assert.Equal("Feature table churn_features is computed from raw.churn_customers, not from 'raw.fraud_events'.", failed.Reason);
    }

    [Theory]
    [InlineData("dev.churn", "dev", "'dev.churn' is not a model name: expected catalog.schema.model")]
    [InlineData("prod.ml.churn", "dev", "Model prod.ml.churn lives in catalog 'prod', not in environment 'dev'.")]
    [InlineData("dev.ml.Churn; DROP TABLE x", "dev", "is not a model name")]
    public async Task An_invalid_model_name_fails_the_step_with_the_reason(string model, string environmentName, string reason)
    {
        var command = environment.Command(Guid.NewGuid(), null) with { ModelName = model, Environment = environmentName };

        var failed = Assert.IsType<FeatureRefreshFailed>(await environment.RefreshAsync(command));

        Assert.Contains(reason, failed.Reason);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM features.quality_results"));
    }

    [Fact]
    public async Task A_command_without_a_run_id_is_dead_lettered_with_the_reason()
    {
        var marker = Guid.NewGuid();
        await environment.PublishAsync(environment.Command(Guid.Empty, marker));

        var errors = await Eventually.WaitAsync(() => environment.Database.DeadLettersAsync("refresh-features"),
            messages => messages.Any(m => m.Body.Contains(marker.ToString())), "the command in messaging.dead_letters");

        var entry = errors.Single(m => m.Body.Contains(marker.ToString()));
        Assert.Contains("no CorrelationId", entry.Reason);
        Assert.Equal(0, entry.Redeliveries);
    }
}
