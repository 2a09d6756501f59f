using Mlops.Contracts;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_code_is_promoted_through_the_environments(PromotionChainPipeline pipeline) : IClassFixture<PromotionChainPipeline>
{
    private static TrainingCodeReleased Release(string model, string code) => new()
    {
        ModelName = model, Environment = model.Split('.')[0], Principal = "ci", CodeVersion = code, Trainer = "logistic_regression",
    };

    [Fact]
    public async Task A_prod_release_of_code_that_never_passed_staging_is_refused_with_the_reason_and_starts_nothing()
    {
        var trigger = await pipeline.TriggerAsync(Release(PromotionChainPipeline.Prod, "c-straight-to-prod"));

        var admitted = Assert.Single(await pipeline.AdmittedAsync(trigger));

        Assert.Equal("ignored", admitted.Disposition);
        Assert.StartsWith("Refused: code c-straight-to-prod never completed the pipeline in staging (staging.ml.chain has no Completed run of it)",
            admitted.Detail);
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE data->>'codeVersion' = 'c-straight-to-prod'"));
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.released_code WHERE code_version = 'c-straight-to-prod'"));
    }

    [Fact]
    public async Task A_manual_prod_run_of_code_that_never_passed_staging_is_refused_too()
    {
        var trigger = await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = PromotionChainPipeline.ProdManual, Environment = "prod", Principal = "alice", Reason = "try it", CodeVersion = "c-manual",
        });

        var admitted = Assert.Single(await pipeline.AdmittedAsync(trigger));

        Assert.Equal("ignored", admitted.Disposition);
        Assert.StartsWith("Refused: code c-manual never completed the pipeline in staging", admitted.Detail);
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE data->>'codeVersion' = 'c-manual'"));
    }

    [Fact]
    public async Task Code_goes_dev_then_staging_then_prod_where_its_run_waits_for_an_approval()
    {
        const string code = "c-through-the-chain";
        var tooEarly = await pipeline.TriggerAsync(Release(PromotionChainPipeline.Staging, code));
        Assert.StartsWith($"Refused: code {code} never completed the pipeline in dev", Assert.Single(await pipeline.AdmittedAsync(tooEarly)).Detail);

        var devRun = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Release(PromotionChainPipeline.Dev, code)));
        Assert.Equal("Completed", (await pipeline.FinishedAsync(devRun)).Outcome);

        var prodBeforeStaging = await pipeline.TriggerAsync(Release(PromotionChainPipeline.Prod, code));
        Assert.StartsWith($"Refused: code {code} never completed the pipeline in staging",
            Assert.Single(await pipeline.AdmittedAsync(prodBeforeStaging)).Detail);

        var stagingRun = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Release(PromotionChainPipeline.Staging, code)));
        var staging = await pipeline.FinishedAsync(stagingRun);
        Assert.Equal(("Completed", "staging"), (staging.Outcome, staging.Environment));

        var prodRun = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(Release(PromotionChainPipeline.Prod, code)));
        var prod = await pipeline.RunAsync(prodRun, "AwaitingApproval");
        Assert.Equal((PromotionChainPipeline.Prod, code, true), (prod.ModelName, prod.CodeVersion, prod.RequireApproval));
    }
}
