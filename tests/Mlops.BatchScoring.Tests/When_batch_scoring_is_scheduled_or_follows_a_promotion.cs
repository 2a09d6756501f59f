using System.Net.Http.Json;
using Mlops.Catalog.Scoring;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.BatchScoring.Tests;

public sealed class When_batch_scoring_is_scheduled_or_follows_a_promotion(ScheduledFixture platform) : IClassFixture<ScheduledFixture>
{
    [Fact]
    public async Task The_schedule_queues_jobs_that_score_the_latest_feature_version_with_the_champion()
    {
        var jobs = await Eventually.WaitAsync(() => platform.Database.QueryAsync<Guid>(
                "SELECT job_id FROM scoring.jobs WHERE trigger = 'schedule' AND state = 'completed' ORDER BY created_at"),
            ids => ids.Count >= 2, "two scheduled jobs to complete", TimeSpan.FromSeconds(90));

        var job = await platform.JobAsync(BatchScoringFixture.Model, jobs[0]);
        Assert.Equal("batch-scheduler", job.RequestedBy);
        Assert.Equal(2, job.ModelVersion);
        Assert.Equal(platform.DevFeatureVersion, job.FeatureVersion);
        Assert.Equal(BatchScoringFixture.DevRows, job.RowsScored);
        Assert.Equal(BatchScoringFixture.DevRows, (await platform.PredictionsAsync(job.JobId)).Count);

        // The model's job list shows them, newest first.
        var listed = await platform.Admin.GetFromJsonAsync<List<BatchScoringJob>>($"/api/models/{BatchScoringFixture.Model}/batch-scoring?limit=500",
            BatchScoringFixture.Json);
        Assert.Contains(listed!, j => j.JobId == jobs[0] && j.Trigger == "schedule");
        Assert.Equal(listed!.OrderByDescending(j => j.CreatedAt).Select(j => j.JobId), listed!.Select(j => j.JobId));

        // One job per occurrence: the schedule's claim moves on with every job it queues.
        var fired = await platform.Database.ScalarAsync<DateTime>("SELECT last_occurrence FROM scoring.schedules WHERE model_name = @Model",
            new { BatchScoringFixture.Model });
        Assert.Equal(0, fired.Second % 3);
    }

    [Fact]
    public async Task A_promotion_of_a_listed_model_scores_with_the_new_champion_as_a_pipeline_step()
    {
        var runId = Guid.NewGuid();
        await platform.PublishAsync(new ModelPromoted
        {
            CorrelationId = runId, ModelName = BatchScoringFixture.Promoted, Environment = "dev", Principal = "promotion", Version = 1,
        });

        var jobId = await Eventually.WaitAsync(() => platform.Database.ScalarAsync<Guid?>(
            "SELECT job_id FROM scoring.jobs WHERE correlation_id = @runId", new { runId }), id => id is not null, "the pipeline's scoring job");
        var job = await platform.EndedAsync(BatchScoringFixture.Promoted, jobId!.Value);

        Assert.Equal("completed", job.State);
        Assert.Equal("pipeline", job.Trigger);
        Assert.Equal(1, job.ModelVersion);
        Assert.Equal(BatchScoringFixture.DevRows, job.RowsScored);
    }

    [Fact]
    public async Task A_promotion_of_a_model_not_listed_queues_nothing()
    {
        var runId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        await platform.PublishAsync(new ModelPromoted
        {
            CorrelationId = runId, ModelName = BatchScoringFixture.NoChampion, Environment = "dev", Principal = "promotion", Version = 1,
        }, context => context.MessageId = messageId);
        await Eventually.WaitAsync(async () => await platform.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.inbox WHERE message_id = @messageId AND consumer ILIKE '%promotion%'", new { messageId }) > 0,
            "the promotion to be consumed");

        Assert.Equal(0, await platform.Database.ScalarAsync<long>("SELECT count(*) FROM scoring.jobs WHERE correlation_id = @runId", new { runId }));
    }
}
