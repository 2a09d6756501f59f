using Microsoft.Extensions.DependencyInjection;
using Mlops.Catalog;
using Mlops.Catalog.Models;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Mlops.BatchScoring.Tests;

/// <summary>
/// The batch scoring service as its own process, the way deploy/demo.sh and the fault suite run it: a job of 30 chunks
/// (each made slower by BatchScoring:FaultInjectionChunkDelay) is killed with SIGKILL once a third of its chunks committed;
/// the restarted service takes the expired lease and finishes the job.
/// </summary>
public sealed class When_batch_scoring_is_killed_halfway(ITestOutputHelper output) : TestEnvironment
{
    private const string Model = "dev.ml.batch";
    private const int Rows = 3000;
    private const int ChunkSize = 100;
    private const int Chunks = Rows / ChunkSize;

    [Fact]
    public async Task The_restarted_job_has_every_prediction_once_and_no_other()
    {
        var logs = Directory.CreateDirectory(Path.Combine(BuiltServices.RepositoryRoot, "artifacts", "batch-scoring-tests", VirtualHost)).FullName;
        var environment = Settings("batch-scoring").Where(s => s.Value is not null).ToDictionary(s => s.Key.Replace(":", "__"), s => s.Value!);
        environment["Logging__LogLevel__Default"] = "Information";
        environment["BatchScoring__ChunkSize"] = ChunkSize.ToString();
        environment["BatchScoring__FaultInjectionChunkDelay"] = "00:00:00.150";
        environment["Steps__LeaseDuration"] = "00:00:04";
        environment["Steps__HeartbeatInterval"] = "00:00:01";
        environment["Steps__PollInterval"] = "00:00:00.200";
        await using var service = new ServiceProcess("BatchScoring", BuiltServices.Directory("BatchScoring"), ServiceProcess.FreePort(), environment, logs);
        service.Start();
        await service.WaitReadyAsync();

        // The service migrated the database; arrange what the other services would have written, as they would.
        await using var catalog = new ServiceCollection().AddSingleton(Database.DataSource).AddMlopsCatalog().BuildServiceProvider();
        var arrange = new BatchScoringArranger(this, catalog);
        var frame = BatchScoringArranger.Frame(Rows);
        var featureVersion = await arrange.WriteFeaturesAsync(frame, "dev");
        var document = BatchScoringArranger.Model(0.5);
        var version = await arrange.RegisterAsync(Model, document, featureVersion);
        await arrange.SetChampionAsync(Model, version);

        var jobId = Guid.NewGuid();
        await PublishAsync(new ScoreBatch
        {
            JobId = jobId, CorrelationId = jobId, ModelName = Model, Environment = "dev", Principal = "test", Trigger = "on_demand",
        });
        var doneAtKill = await Eventually.WaitAsync(() => ChunksDoneAsync(jobId), done => done >= Chunks / 3, "a third of the chunks to commit");
        service.Kill();
        doneAtKill = await ChunksDoneAsync(jobId);
        Assert.True(doneAtKill < Chunks, $"the job had finished ({doneAtKill} chunks) before the kill");

        var recovery = await service.RestartAsync();
        var state = await Eventually.WaitAsync(() => Database.ScalarAsync<string>("SELECT state FROM scoring.jobs WHERE job_id = @jobId", new { jobId }),
            s => s is "completed" or "failed", "the job to end after the restart", TimeSpan.FromSeconds(90));
        output.WriteLine($"killed after {doneAtKill} of {Chunks} chunks; ready again in {recovery.TotalSeconds:0.0} s");

        Assert.Equal("completed", state);
        var predictions = await Database.QueryAsync<(long EntityId, double Prediction)>(
            "SELECT entity_id, prediction FROM scoring.predictions WHERE job_id = @jobId ORDER BY entity_id", new { jobId });
        Assert.Equal(frame.EntityIds, predictions.Select(p => p.EntityId));
        var model = CompiledModel.Compile(document);
        for (var row = 0; row < Rows; row += 97)
            Assert.Equal(model.Score([frame.Numeric["x"][row], frame.Numeric["y"][row]]), predictions[row].Prediction, 12);

        var (chunks, chunksDone, rowsScored) = await Database.QueryAsync<(long, int, long)>("""
            SELECT (SELECT count(*) FROM scoring.job_chunks WHERE job_id = @jobId), chunks_done, rows_scored FROM scoring.jobs WHERE job_id = @jobId
            """, new { jobId }).ContinueWith(t => t.Result.Single());
        Assert.Equal((Chunks, Chunks, Rows), (chunks, chunksDone, (long)rowsScored));

        // The inference log holds each row once too, in the log batches the checkpoints name and no other.
        Assert.Equal(Rows, await Database.ScalarAsync<long>(
            "SELECT count(DISTINCT row_index) FROM serving.inference_log WHERE request_id = @jobId AND source = 'batch'", new { jobId }));
        Assert.Equal(Rows, await Database.ScalarAsync<long>("SELECT count(*) FROM serving.inference_log WHERE request_id = @jobId", new { jobId }));
        Assert.Equal(0, await Database.ScalarAsync<long>("""
            SELECT count(*) FROM serving.inference_log l
            WHERE l.request_id = @jobId AND NOT EXISTS (SELECT 1 FROM scoring.job_chunks c WHERE c.log_batch_id = l.log_batch_id)
            """, new { jobId }));
        Assert.Equal(Chunks, await Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%PredictionsLogged%'"));

        // The lease was taken again after the kill, and the job's end was announced once.
        Assert.True(await Database.ScalarAsync<int>("SELECT attempt FROM steps.step_leases WHERE pipeline_run_id = @jobId", new { jobId }) >= 2);
        Assert.Equal(1, await Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%BatchScoringCompleted%'"));
    }

    private Task<int> ChunksDoneAsync(Guid jobId) =>
        Database.ScalarAsync<int>("SELECT coalesce((SELECT chunks_done FROM scoring.jobs WHERE job_id = @jobId), 0)", new { jobId });
}
