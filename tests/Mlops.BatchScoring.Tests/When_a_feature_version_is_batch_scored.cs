using System.Text.Json;
using Mlops.Catalog.Models;
using Mlops.Testing;
using Xunit;

namespace Mlops.BatchScoring.Tests;

public sealed class When_a_feature_version_is_batch_scored(BatchScoringFixture platform) : IClassFixture<BatchScoringFixture>
{
    [Fact]
    public async Task Every_entity_is_scored_once_with_the_champions_prediction()
    {
        var queued = await platform.StartAsync(BatchScoringFixture.Model, new { });
        Assert.Equal("queued", queued.State);
        Assert.Equal(2, queued.ModelVersion);
        Assert.Equal(platform.DevFeatureVersion, queued.FeatureVersion);

        var job = await platform.EndedAsync(BatchScoringFixture.Model, queued.JobId);

        Assert.Equal("completed", job.State);
        Assert.Equal("on_demand", job.Trigger);
        Assert.Equal("root", job.RequestedBy);
        Assert.Equal((BatchScoringFixture.DevRows + BatchScoringFixture.ChunkSize - 1) / BatchScoringFixture.ChunkSize, job.ChunkCount);
        Assert.Equal(job.ChunkCount, job.ChunksDone);
        Assert.Equal(BatchScoringFixture.DevRows, job.RowsScored);
        Assert.Empty(job.Errors);

        var champion = CompiledModel.Compile(BatchScoringArranger.Model(-0.4));
        var predictions = await platform.PredictionsAsync(job.JobId);
        Assert.Equal(platform.DevFrame.EntityIds, predictions.Select(p => p.EntityId));
        Assert.All(predictions, p => Assert.Equal(2, p.ModelVersion));
        for (var row = 0; row < platform.DevFrame.RowCount; row++)
            Assert.Equal(champion.Score([platform.DevFrame.Numeric["x"][row], platform.DevFrame.Numeric["y"][row]]), predictions[row].Prediction, 12);
    }

    [Fact]
    public async Task A_named_version_scores_a_pinned_feature_version()
    {
        var job = await platform.EndedAsync(BatchScoringFixture.Model,
            (await platform.StartAsync(BatchScoringFixture.Model, new { version = 1, featureVersion = platform.DevFeatureVersion })).JobId);

        Assert.Equal("completed", job.State);
        Assert.Equal(1, job.ModelVersion);
        var first = CompiledModel.Compile(BatchScoringArranger.Model(0.2));
        var predictions = await platform.PredictionsAsync(job.JobId);
        Assert.Equal(BatchScoringFixture.DevRows, predictions.Count);
        Assert.All(predictions, p => Assert.Equal(1, p.ModelVersion));
        Assert.Equal(first.Score([platform.DevFrame.Numeric["x"][5], platform.DevFrame.Numeric["y"][5]]), predictions[5].Prediction, 12);
    }

    [Fact]
    public async Task The_predictions_reach_monitoring_as_batch_rows_of_the_inference_log()
    {
        var job = await platform.EndedAsync(BatchScoringFixture.Model, (await platform.StartAsync(BatchScoringFixture.Model, new { })).JobId);

        var logged = await platform.Database.QueryAsync<(string Source, int RowIndex, string Features)>(
            "SELECT source, row_index, features::text FROM serving.inference_log WHERE request_id = @JobId ORDER BY row_index", new { job.JobId });
        Assert.Equal(BatchScoringFixture.DevRows, logged.Count);
        Assert.All(logged, row => Assert.Equal("batch", row.Source));
        Assert.Equal(Enumerable.Range(0, BatchScoringFixture.DevRows), logged.Select(row => row.RowIndex));
        var firstFeatures = JsonDocument.Parse(logged[1].Features).RootElement;
        Assert.Equal(platform.DevFrame.Numeric["x"][1], firstFeatures.GetProperty("x").GetDouble(), 12);
        // Row 0 has no y (NaN in the frame): monitoring counts it as missing.
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(logged[0].Features).RootElement.GetProperty("y").ValueKind);

        // Monitoring counted every chunk's log batch into the version's windows.
        var counted = await Eventually.WaitAsync(() => platform.Database.ScalarAsync<long?>("""
                SELECT sum(p.row_count) FROM scoring.job_chunks c JOIN monitoring.processed_batches p ON p.batch_id = c.log_batch_id
                WHERE c.job_id = @JobId
                """, new { job.JobId }), rows => rows == BatchScoringFixture.DevRows, "monitoring to count every batch prediction");
        Assert.Equal(BatchScoringFixture.DevRows, counted);
        var windowed = await platform.Database.ScalarAsync<long>(
            "SELECT coalesce(sum(row_count), 0) FROM monitoring.windows WHERE model_name = @Model AND version = 2", new { BatchScoringFixture.Model });
        Assert.True(windowed >= BatchScoringFixture.DevRows, $"the windows of v2 hold {windowed} rows");
    }

    [Fact]
    public async Task The_job_ends_with_BatchScoringCompleted_and_is_audited()
    {
        var job = await platform.EndedAsync(BatchScoringFixture.Model, (await platform.StartAsync(BatchScoringFixture.Model, new { })).JobId);

        var completed = await Eventually.WaitAsync(() => platform.Database.QueryAsync<string>(
                "SELECT body FROM messaging.outbox WHERE message_type LIKE '%BatchScoringCompleted%' AND body LIKE '%' || @Id || '%'",
                new { Id = job.JobId.ToString() }), bodies => bodies.Count > 0, "BatchScoringCompleted in the outbox");
        var message = JsonDocument.Parse(completed.Single()).RootElement.GetProperty("message");
        Assert.Equal(BatchScoringFixture.DevRows, message.GetProperty("rowsScored").GetInt64());
        Assert.Equal(2, message.GetProperty("modelVersion").GetInt32());

        var actions = await platform.Database.QueryAsync<string>(
            "SELECT action FROM audit.entries WHERE detail LIKE '%' || @Id || '%' ORDER BY seq", new { Id = job.JobId.ToString() });
        Assert.Equal(["batch_scoring.start", "batch_scoring.completed"], actions.Where(a => a != "batch_scoring.queued"));
    }
}
