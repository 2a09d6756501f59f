using MassTransit;
using Mlops.Contracts;
using Mlops.Orchestrator.Sagas;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

[Collection(ShortDeadlines.Collection)]
public sealed class When_replies_come_late_or_for_no_run(ShortDeadlines pipeline)
{
    [Fact]
    public async Task A_reply_for_a_finished_run_is_noted_and_nothing_is_dead_lettered()
    {
        var runId = await pipeline.StartedRunAsync(await pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Happy, Environment = "dev", Principal = "alice",
        }));
        await pipeline.RunAsync(runId, "Completed");

        var late = await pipeline.TriggerAsync(new FeatureTableRefreshed
        {
            CorrelationId = runId, ModelName = TestModels.Happy, Environment = "dev", Principal = "feature-refresh", FeatureTable = "churn_features", FeatureVersion = 99,
        });
        await ProcessedAsync(late);

        var run = await pipeline.RunAsync(runId, "Completed");
        Assert.NotEqual(99, run.FeatureVersion);
        Assert.Contains(run.History, h => h.Note == "Ignored FeatureTableRefreshed: the run is Completed");
        Assert.Single(pipeline.Events.RunsFinished, e => e.CorrelationId == runId);
        Assert.Empty(await pipeline.Database.DeadLettersAsync(DeployCodePipelineStateDefinition.QueueName));
    }

    [Fact]
    public async Task A_reply_for_a_run_that_does_not_exist_is_discarded_without_an_error()
    {
        var unknownRun = NewId.NextGuid();

        var reply = await pipeline.TriggerAsync(new ModelRegistered
        {
            CorrelationId = unknownRun, ModelName = TestModels.Happy, Environment = "dev", Principal = "training", Version = 1,
        });
        await ProcessedAsync(reply);

        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @unknownRun", new { unknownRun }));
        Assert.Empty(await pipeline.Database.DeadLettersAsync(DeployCodePipelineStateDefinition.QueueName));
    }

    /// <summary>The saga endpoint's inbox holds a message once its transaction committed.</summary>
    private Task ProcessedAsync(Guid messageId) =>
        Eventually.WaitAsync(() => pipeline.Database.ScalarAsync<long>(
                "SELECT count(*) FROM messaging.inbox WHERE message_id = @messageId AND consumer LIKE @consumer",
                new { messageId, consumer = DeployCodePipelineStateDefinition.QueueName + "/%" }),
            n => n == 1, $"message {messageId} processed by the run saga");
}
