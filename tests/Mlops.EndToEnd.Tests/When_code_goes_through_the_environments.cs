using MassTransit;
using Mlops.Catalog.Lineage;
using Mlops.Contracts;
using Mlops.Simulator;
using Mlops.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace Mlops.EndToEnd.Tests;

/// <summary>
/// Isolation, the promotion chain and lineage across every real service: each environment's runs read only its own
/// batches, prod refuses code that never passed staging, and after dev and staging the prod run waits for an approval.
/// </summary>
public sealed class When_code_goes_through_the_environments(EnvironmentsFixture platform) : IClassFixture<EnvironmentsFixture>
{
    private const string Code = "e2e-chain-c1";

    [Fact]
    public async Task Each_environment_trains_on_its_own_data_and_prod_runs_only_code_that_passed_staging()
    {
        var batches = new Dictionary<string, Guid>();
        var seed = 10;
        foreach (var environment in EnvironmentsFixture.Environments)
            batches[environment] = await LandAsync(environment, seed++);
        // Landed last, so it is the newest batch of all: a staging or prod run that read across environments would take it.
        var laterDevBatch = await LandAsync("dev", seed);

        var refused = await ReleaseAsync("prod");
        var refusal = await Eventually.WaitAsync(
            () => platform.Database.ScalarAsync<string?>("SELECT detail FROM pipeline.triggers WHERE message_id = @refused", new { refused }),
            detail => detail is not null, "the refusal of the prod release");
        Assert.StartsWith($"Refused: code {Code} never completed the pipeline in staging", refusal);

        var devRelease = await ReleaseAsync("dev");
        var dev = await platform.FinishedRunAsync(() => platform.RunStartedByMessageAsync(devRelease), "the dev release");
        Assert.Equal(("Completed", null), (dev.CurrentState, dev.FailureReason));
        var stagingRelease = await ReleaseAsync("staging");
        Assert.Equal("started", await AdmittedAsync(stagingRelease));
        var staging = await platform.FinishedRunAsync(() => platform.RunStartedByMessageAsync(stagingRelease), "the staging release");
        Assert.Equal(("Completed", null), (staging.CurrentState, staging.FailureReason));

        var prodRelease = await ReleaseAsync("prod");
        Assert.Equal("started", await AdmittedAsync(prodRelease));
        var prodRunId = await Eventually.WaitAsync(() => platform.RunStartedByMessageAsync(prodRelease), id => id is not null, "the prod run");
        var waiting = await Eventually.WaitAsync(() => platform.RunAsync(prodRunId!.Value), run => run?.CurrentState == "AwaitingApproval",
            "the prod run waiting for an approval", TimeSpan.FromMinutes(3));
        await platform.Bus.Publish(new PromotionApproved
        {
            CorrelationId = waiting!.CorrelationId, ModelName = waiting.ModelName, Environment = "prod", Principal = "release-manager", Comment = "e2e",
        });
        var prod = (await Eventually.WaitAsync(() => platform.RunAsync(prodRunId!.Value), run => run?.FinishedAt is not null, "the prod run to finish",
            TimeSpan.FromMinutes(2)))!;
        Assert.Equal(("Completed", "release-manager"), (prod.CurrentState, prod.ApprovedBy));

        Assert.Equal([laterDevBatch], await BatchesOfAsync(dev.FeatureVersion!.Value));
        Assert.Equal([batches["staging"]], await BatchesOfAsync(staging.FeatureVersion!.Value));
        Assert.Equal([batches["prod"]], await BatchesOfAsync(prod.FeatureVersion!.Value));

        var lineage = new LineageQueries(platform.Upstream.Services.GetRequiredService<NpgsqlDataSource>());
        var fromDev = await lineage.ModelVersionsFromAsync(laterDevBatch, CancellationToken.None);
        Assert.Equal([(EnvironmentsFixture.ModelIn("dev"), dev.ModelVersion!.Value)], fromDev.Select(v => (v.ModelName, v.Version)));
        var fromProd = await lineage.ModelVersionsFromAsync(batches["prod"], CancellationToken.None);
        Assert.Equal([(EnvironmentsFixture.ModelIn("prod"), prod.ModelVersion!.Value)], fromProd.Select(v => (v.ModelName, v.Version)));
        Assert.Equal([dev.CorrelationId, staging.CorrelationId, prod.CorrelationId],
            await lineage.CompletedRunsOfCodeAsync("ml.chain", Code, CancellationToken.None));
    }

    /// <summary>The disposition admission gave a trigger, with its detail when it did not start a run (so a failure says why).</summary>
    private async Task<string> AdmittedAsync(Guid messageId)
    {
        var row = await Eventually.WaitAsync(
            () => platform.Database.QueryAsync<(string Disposition, string Detail)>(
                "SELECT disposition, detail FROM pipeline.triggers WHERE message_id = @messageId", new { messageId }),
            rows => rows.Count > 0, $"the admission of trigger {messageId}");
        return row[0].Disposition == "started" ? "started" : $"{row[0].Disposition}: {row[0].Detail}";
    }

    private Task<Guid> LandAsync(string environment, int seed) =>
        platform.Lander.LandAsync(ChurnDataGenerator.Generate(new ChurnDataOptions { RowCount = 3_000, Seed = seed }), environment, "e2e-upstream");

    private async Task<Guid> ReleaseAsync(string environment)
    {
        var messageId = Guid.NewGuid();
        await platform.Bus.Publish(new TrainingCodeReleased
        {
            ModelName = EnvironmentsFixture.ModelIn(environment), Environment = environment, Principal = "ci", CodeVersion = Code,
            Trainer = "logistic_regression", Parameters = new Dictionary<string, string> { ["l2"] = "0.01", ["seed"] = "42" },
            Description = "Churn propensity, promoted through the environments.",
            Tags = new Dictionary<string, string> { ["pii"] = "none", ["gdpr"] = "pseudonymised" },
        }, context => context.MessageId = messageId);
        return messageId;
    }

    private async Task<Guid[]> BatchesOfAsync(int featureVersion) =>
        (await platform.Database.ScalarAsync<Guid[]>(
            "SELECT raw_batch_ids FROM features.table_versions WHERE table_name = 'churn_features' AND version = @featureVersion", new { featureVersion }))!;
}
