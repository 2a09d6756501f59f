using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mlops.Contracts;
using Mlops.Testing;
using Xunit;

namespace Mlops.BatchScoring.Tests;

public sealed class When_batch_scoring_input_is_bad(BatchScoringFixture platform) : IClassFixture<BatchScoringFixture>
{
    [Theory]
    [InlineData("dev.ml.unknown", "{}", HttpStatusCode.NotFound, "model", "There is no model dev.ml.unknown.")]
    [InlineData("dev.ml.nochamp", "{}", HttpStatusCode.Conflict, "model", "has no champion to score with")]
    [InlineData("dev.ml.batch", """{"version": 9}""", HttpStatusCode.NotFound, "version", "has no version 9")]
    [InlineData("dev.ml.batch", """{"version": 0}""", HttpStatusCode.BadRequest, "version", "positive version number")]
    [InlineData("dev.ml.batch", """{"featureVersion": 99}""", HttpStatusCode.NotFound, "featureVersion", "has no version 99")]
    [InlineData("dev.ml.batch", """{"featureTable": "churn_features"}""", HttpStatusCode.BadRequest, "featureTable", "was trained on feature table batch_accounts")]
    [InlineData("dev.ml.batch", """{"entityKeys": []}""", HttpStatusCode.BadRequest, "entityKeys", "entityKeys is empty")]
    [InlineData("dev.ml.batch", """{"entityKeys": ["abc"]}""", HttpStatusCode.BadRequest, "entityKeys", "")]
    [InlineData("dev.ml.batch", """{"entityKeys": [1.5]}""", HttpStatusCode.BadRequest, "entityKeys", "")]
    [InlineData("dev.ml.batch", """{"entityKeys": [99999999999999999999]}""", HttpStatusCode.BadRequest, "entityKeys", "")]
    [InlineData("dev.ml.batch", """{"entityKeys": 5}""", HttpStatusCode.BadRequest, "entityKeys", "")]
    [InlineData("dev.ml.batch", """{"keys": [1]}""", HttpStatusCode.BadRequest, "", "")]
    [InlineData("dev.ml.batch", """{"version": 1""", HttpStatusCode.BadRequest, "", "")]
    [InlineData("not-a-model", "{}", HttpStatusCode.BadRequest, "name", "is not a model name")]
    public async Task The_request_is_refused_naming_the_field(string model, string body, HttpStatusCode status, string field, string message)
    {
        var jobsBefore = await platform.Database.ScalarAsync<long>("SELECT count(*) FROM scoring.jobs");

        var response = await platform.Admin.PostAsync($"/api/models/{model}/batch-scoring", new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"{(int)response.StatusCode}: {text}");
        Assert.Contains(message, text);
        if (field.Length > 0)
            Assert.Contains(field, text);
        Assert.Equal(jobsBefore, await platform.Database.ScalarAsync<long>("SELECT count(*) FROM scoring.jobs"));
    }

    [Fact]
    public async Task A_feature_version_of_another_environment_is_refused()
    {
        var response = await platform.Admin.PostAsJsonAsync($"/api/models/{BatchScoringFixture.Model}/batch-scoring",
            new { featureVersion = platform.StagingFeatureVersion });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"was computed in staging, not in dev", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_caller_without_models_write_in_the_catalog_is_refused_and_nothing_is_queued()
    {
        var consumer = await platform.PrincipalAsync("batch-consumer", "model_consumer");

        var response = await consumer.PostAsJsonAsync($"/api/models/{BatchScoringFixture.Model}/batch-scoring", new { });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(0, await platform.Database.ScalarAsync<long>("SELECT count(*) FROM scoring.jobs WHERE requested_by = 'batch-consumer'"));
    }

    [Fact]
    public async Task An_unknown_job_is_not_found()
    {
        var response = await platform.Admin.GetAsync($"/api/models/{BatchScoringFixture.Model}/batch-scoring/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task A_queued_job_that_cannot_be_scored_any_more_fails_with_the_reason()
    {
        // Queued from outside the API (a pipeline, a replayed command) for a model without a champion: the worker plans it
        // when it starts and ends it failed, with BatchScoringFailed.
        var jobId = Guid.NewGuid();
        await platform.PublishAsync(new ScoreBatch
        {
            JobId = jobId, CorrelationId = jobId, ModelName = BatchScoringFixture.NoChampion, Environment = "dev", Principal = "pipeline",
            Trigger = "pipeline",
        });

        await Eventually.WaitAsync(async () => await platform.Database.ScalarAsync<long>("SELECT count(*) FROM scoring.jobs WHERE job_id = @jobId",
            new { jobId }) == 1, "the consumer to record the job");
        var job = await platform.EndedAsync(BatchScoringFixture.NoChampion, jobId);

        Assert.Equal("failed", job.State);
        Assert.Contains("has no champion to score with", job.Failure);
        var failed = await Eventually.WaitAsync(() => platform.Database.QueryAsync<string>(
                "SELECT body FROM messaging.outbox WHERE message_type LIKE '%BatchScoringFailed%' AND body LIKE '%' || @Id || '%'",
                new { Id = jobId.ToString() }), bodies => bodies.Count > 0, "BatchScoringFailed in the outbox");
        Assert.Contains("has no champion", JsonDocument.Parse(failed.Single()).RootElement.GetProperty("message").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_command_without_a_job_id_is_dead_lettered_with_the_reason()
    {
        await platform.PublishAsync(new ScoreBatch { ModelName = BatchScoringFixture.Model, Environment = "dev", Principal = "x", Trigger = "pipeline" });

        var reason = await Eventually.WaitAsync(() => platform.Database.QueryAsync<string>(
                "SELECT reason FROM messaging.dead_letters WHERE queue LIKE 'score-batch%'"), reasons => reasons.Count > 0, "a dead letter");
        Assert.Contains("ScoreBatch has no JobId", reason[0]);
    }
}
