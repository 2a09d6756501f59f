using Mlops.Contracts;
using Mlops.Orchestrator.Consumers;
using Mlops.Orchestrator.Tests.Pipeline.FakeWorkers;
using Mlops.Testing;
using Xunit;

namespace Mlops.Orchestrator.Tests.Pipeline;

public sealed class When_triggers_arrive(LongDeadlines pipeline) : IClassFixture<LongDeadlines>
{
    [Fact]
    public async Task Five_at_once_for_one_model_start_one_run_and_are_recorded_on_it()
    {
        var triggers = await Task.WhenAll(Enumerable.Range(1, 5).Select(i => pipeline.TriggerAsync(new PipelineRequested
        {
            ModelName = TestModels.Busy, Environment = "dev", Principal = $"operator{i}", Reason = $"request {i}",
        })));

        var admitted = (await Task.WhenAll(triggers.Select(t => pipeline.AdmittedAsync(t)))).Select(Assert.Single).ToList();

        var started = Assert.Single(admitted, t => t.Disposition == "started");
        var recorded = admitted.Where(t => t.Disposition == "recorded").ToList();
        Assert.Equal(4, recorded.Count);
        Assert.All(recorded, t => Assert.Equal(started.RunId, t.RunId));
        // The saga exists once its StartPipelineRun has been delivered; the busy model's run then waits in its first step.
        await pipeline.RunAsync(started.RunId!.Value, "RefreshingFeatures");
        Assert.Equal(1L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE data->>'modelName' = @model", new { model = TestModels.Busy }));

        var announced = await Eventually.WaitAsync(
            () => Task.FromResult(pipeline.Events.TriggersRecorded.Where(e => e.CorrelationId == started.RunId).ToList()),
            events => events.Count == 4, "four PipelineTriggerRecorded for the active run");
        Assert.All(announced, e => Assert.Equal(("manual", TestModels.Busy), (e.Trigger, e.ModelName)));
    }

    [Fact]
    public async Task One_for_a_model_without_pipeline_configuration_is_recorded_as_ignored_with_the_reason()
    {
        var trigger = await pipeline.TriggerAsync(new PipelineRequested { ModelName = "dev.ml.unknown", Environment = "dev", Principal = "alice" });

        var admitted = Assert.Single(await pipeline.AdmittedAsync(trigger));

        Assert.Equal(("ignored", "dev.ml.unknown has no pipeline configuration (Pipeline:Models)."), (admitted.Disposition, admitted.Detail));
        Assert.Null(admitted.RunId);
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.deploy_code_pipeline_runs WHERE data->>'modelName' = 'dev.ml.unknown'"));
    }

    [Fact]
    public async Task One_with_a_malformed_model_name_is_recorded_as_ignored_with_the_reason()
    {
        var trigger = await pipeline.TriggerAsync(new PipelineRequested { ModelName = "churn", Environment = "dev", Principal = "alice" });

        var admitted = Assert.Single(await pipeline.AdmittedAsync(trigger));

        Assert.Equal("ignored", admitted.Disposition);
        Assert.StartsWith("'churn' is not a model name", admitted.Detail);
    }

    [Fact]
    public async Task Released_training_code_starts_a_run_with_it_and_later_data_triggered_runs_train_with_it_too()
    {
        var release = await pipeline.TriggerAsync(new TrainingCodeReleased
        {
            ModelName = TestModels.Released, Environment = "dev", Principal = "ci", CodeVersion = "c0ffee1", Trainer = "external",
            Parameters = new Dictionary<string, string> { ["depth"] = "4" }, Tags = new Dictionary<string, string> { ["pii"] = "true" },
        });
        var first = await pipeline.RunAsync(await pipeline.StartedRunAsync(release), "Completed");
        Assert.Equal(("training_code_released", "c0ffee1", "external"), (first.Trigger, first.CodeVersion, first.Trainer));

        var batchId = Guid.NewGuid();
        var landed = await pipeline.LandAsync(new RawDataLanded
        {
            Environment = "dev", Principal = "ingest", BatchId = batchId, SourceTable = TestModels.ReleaseLanding, RowCount = 1200,
        });
        var second = await pipeline.RunAsync(await pipeline.StartedRunAsync(landed), "Completed");

        Assert.Equal(("raw_data_landed", batchId), (second.Trigger, second.RawBatchId));
        var train = Assert.Single(pipeline.Workers.Received<TrainModel>(second.CorrelationId));
        Assert.Equal(("c0ffee1", "external", "4", "true"), (train.CodeVersion, train.Trainer, train.Parameters["depth"], train.Tags["pii"]));
        Assert.Equal(batchId, Assert.Single(pipeline.Workers.Received<RefreshFeatures>(second.CorrelationId)).RawBatchId);
    }

    [Fact]
    public async Task Landed_data_starts_runs_only_for_the_models_of_its_environment_that_retrain_on_it()
    {
        var batchId = Guid.NewGuid();

        var landed = await pipeline.LandAsync(new RawDataLanded
        {
            Environment = "dev", Principal = "ingest", BatchId = batchId, SourceTable = TestModels.TestLanding, RowCount = 300,
        });

        var admitted = Assert.Single(await pipeline.AdmittedAsync(landed));
        Assert.Equal(("raw_data_landed", TestModels.OnData, "started"), (admitted.Kind, admitted.ModelName, admitted.Disposition));
        Assert.Equal($"batch {batchId} of {TestModels.TestLanding}: 300 rows", admitted.Detail);
        Assert.Equal(batchId, (await pipeline.RunAsync(admitted.RunId!.Value, "Completed")).RawBatchId);
    }

    [Fact]
    public async Task Landed_data_no_model_retrains_on_is_recorded_as_ignored()
    {
        var landed = await pipeline.LandAsync(new RawDataLanded
        {
            Environment = "prod", Principal = "ingest", BatchId = Guid.NewGuid(), SourceTable = TestModels.TestLanding, RowCount = 10,
        });

        var admitted = Assert.Single(await pipeline.AdmittedAsync(landed));
        Assert.Equal(("ignored", null, $"No model in prod retrains on new data from {TestModels.TestLanding}."),
            (admitted.Disposition, admitted.ModelName, admitted.Detail));
    }

    [Fact]
    public async Task Landed_data_that_does_not_match_its_batch_is_dead_lettered_with_the_reason_and_admits_nothing()
    {
        var batchId = Guid.NewGuid();
        await pipeline.Database.ExecuteAsync(
            "INSERT INTO raw.batches (batch_id, source_table, row_count, producer, environment) VALUES (@batchId, @table, 300, 'ingest', 'dev')",
            new { batchId, table = TestModels.TestLanding });
        var unknownBatch = Guid.NewGuid();

        var wrongCount = await pipeline.TriggerAsync(new RawDataLanded
        {
            Environment = "staging", Principal = "ingest", BatchId = batchId, SourceTable = TestModels.TestLanding, RowCount = 301,
        });
        var unknown = await pipeline.TriggerAsync(new RawDataLanded
        {
            Environment = "dev", Principal = "ingest", BatchId = unknownBatch, SourceTable = TestModels.TestLanding, RowCount = 5,
        });

        var dead = await Eventually.WaitAsync(() => pipeline.Database.DeadLettersAsync(AdmissionConsumerDefinition<RawDataLandedConsumer>.QueueName),
            rows => rows.Count(r => r.Body.Contains(batchId.ToString()) || r.Body.Contains(unknownBatch.ToString())) == 2, "both announcements dead-lettered");
        var mismatch = Assert.Single(dead, r => r.Body.Contains(batchId.ToString()));
        Assert.Equal($"RawDataLanded does not match batch {batchId}: environment staging announced, dev landed; 301 rows announced, 300 landed.", mismatch.Reason);
        Assert.Equal(0, mismatch.Redeliveries);
        Assert.StartsWith($"RawDataLanded announces batch {unknownBatch} of {TestModels.TestLanding}, but raw.batches holds no such batch",
            Assert.Single(dead, r => r.Body.Contains(unknownBatch.ToString())).Reason);
        Assert.Equal(0L, await pipeline.Database.ScalarAsync<long>(
            "SELECT count(*) FROM pipeline.triggers WHERE message_id = ANY(@ids)", new { ids = new[] { wrongCount, unknown } }));
    }
}
