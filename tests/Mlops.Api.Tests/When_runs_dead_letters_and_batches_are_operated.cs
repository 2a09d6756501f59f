using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Hosting.DeadLetters;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>
/// The endpoints the CLI needed beyond the first API: asking for and cancelling runs, dead letters and their replay, the
/// simulator's synthetic batches, and a rollback override that reaches the promotion service. Each is authorised, audited in
/// the same transaction as its outbox message, and refused with the permission it misses.
/// </summary>
public sealed class When_runs_dead_letters_and_batches_are_operated(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task A_run_is_requested_by_whoever_may_write_the_model_and_published_under_their_name()
    {
        using var engineer = await fixture.PrincipalAsync("req-" + Suffix(), "ml_engineer");
        using var consumer = await fixture.PrincipalAsync("con-" + Suffix(), "model_consumer");
        var before = await fixture.OutboxCountAsync("PipelineRequested");

        var accepted = await engineer.PostAsJsonAsync("/api/runs", new { modelName = "staging.ml.req", reason = "fresh data", parameters = new { l2 = "0.5" } });
        var refused = await consumer.PostAsJsonAsync("/api/runs", new { modelName = "prod.ml.req" });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var message = (await fixture.OutboxMessagesAsync("PipelineRequested")).Last();
        Assert.Equal("staging.ml.req", message.GetProperty("modelName").GetString());
        Assert.Equal("0.5", message.GetProperty("parameters").GetProperty("l2").GetString());
        Assert.StartsWith("req-", message.GetProperty("principal").GetString());
        Assert.Equal(before + 1, await fixture.OutboxCountAsync("PipelineRequested"));
        await AssertRefusedAsync(refused, "models.write");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'run.request' AND resource = 'model:staging.ml.req' AND outcome = 'succeeded'"));
    }

    [Fact]
    public async Task An_active_run_is_cancelled_and_a_finished_one_is_a_conflict()
    {
        var active = await fixture.RunAsync("dev.ml.cancel", "alice", "bob", state: "Training");
        var finished = await fixture.RunAsync("dev.ml.cancel", "alice", "bob", state: "Completed");
        await fixture.Database.ExecuteAsync("UPDATE pipeline.deploy_code_pipeline_runs SET data = jsonb_set(data, '{finishedAt}', to_jsonb(now())) WHERE correlation_id = @finished",
            new { finished });
        using var consumer = await fixture.PrincipalAsync("cc-" + Suffix(), "model_consumer");

        var cancelled = await fixture.Admin.PostAsJsonAsync($"/api/runs/{active}/cancel", new { reason = "wrong data" });
        var conflict = await fixture.Admin.PostAsJsonAsync($"/api/runs/{finished}/cancel", new { reason = "too late" });
        var refused = await consumer.PostAsJsonAsync($"/api/runs/{active}/cancel", new { reason = "mine" });

        Assert.Equal(HttpStatusCode.Accepted, cancelled.StatusCode);
        var message = (await fixture.OutboxMessagesAsync("CancelPipelineRun")).Single(m => m.GetProperty("correlationId").GetGuid() == active);
        Assert.Equal("wrong data", message.GetProperty("reason").GetString());
        Assert.Equal("root", message.GetProperty("principal").GetString());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        await AssertRefusedAsync(refused, "models.write");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'run.cancel' AND resource = @resource AND outcome = 'succeeded'", new { resource = $"run:{active}" }));
    }

    [Fact]
    public async Task Dead_letters_are_listed_shown_and_replayed_once_by_an_admin_only()
    {
        var messageId = Guid.NewGuid();
        var id = await new DeadLetterStore(fixture.Database.DataSource).AddAsync(new DeadLetter
        {
            Queue = "train-model", MessageId = messageId, MessageType = "urn:message:Mlops.Contracts:TrainModel", Reason = "the trainer broke",
            ExceptionType = "System.InvalidOperationException", Headers = "{}", Body = """{"message":{"modelName":"dev.ml.dead"}}""", Service = "training",
            ContentType = "application/vnd.masstransit+json",
        }, CancellationToken.None);
        using var engineer = await fixture.PrincipalAsync("dl-" + Suffix(), "ml_engineer");

        var list = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/dead-letters?queue=train-model");
        var show = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/dead-letters/{id}");
        var refused = await engineer.PostAsync($"/api/dead-letters/{id}/replay", null);
        var replay = await fixture.Admin.PostAsync($"/api/dead-letters/{id}/replay", null);
        var again = await fixture.Admin.PostAsync($"/api/dead-letters/{id}/replay", null);

        var listed = Assert.Single(list.EnumerateArray());
        Assert.Equal(id, listed.GetProperty("id").GetInt64());
        Assert.Equal(JsonValueKind.Null, listed.GetProperty("body").ValueKind);
        Assert.Contains("dev.ml.dead", show.GetProperty("body").GetString());
        await AssertRefusedAsync(refused, "deadletters.manage");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'training' AND message_id = @messageId", new { messageId }));
        Assert.Equal("root", await fixture.Database.ScalarAsync<string>("SELECT replayed_by FROM messaging.dead_letters WHERE id = @id", new { id }));
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'deadletter.replay' AND resource = @resource AND outcome = 'succeeded'",
            new { resource = $"dead-letter:{id}" }));
    }

    [Fact]
    public async Task A_synthetic_batch_lands_its_rows_and_announces_them_in_one_transaction()
    {
        using var scientist = await fixture.PrincipalAsync("sim-" + Suffix(), "data_scientist");
        var before = await fixture.OutboxCountAsync("RawDataLanded");

        var landed = await scientist.PostAsJsonAsync("/api/simulator/batches", new { environment = "dev", rows = 120, seed = 3, nullRate = 0.1 });
        var refused = await scientist.PostAsJsonAsync("/api/simulator/batches", new { environment = "prod", rows = 10 });

        Assert.Equal(HttpStatusCode.Created, landed.StatusCode);
        var batch = (await landed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("batchId").GetGuid();
        Assert.Equal(120, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM raw.churn_customers WHERE batch_id = @batch", new { batch }));
        var message = (await fixture.OutboxMessagesAsync("RawDataLanded")).Single(m => m.GetProperty("batchId").GetGuid() == batch);
        Assert.StartsWith("sim-", message.GetProperty("principal").GetString());
        Assert.Equal(before + 1, await fixture.OutboxCountAsync("RawDataLanded"));
        await AssertRefusedAsync(refused, "catalog.write");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'data.landed' AND resource LIKE '%' || @batch || '%'", new { batch = batch.ToString() }));
    }

    [Fact]
    public async Task A_rollback_to_a_version_never_champion_tells_the_promotion_service_it_is_an_override()
    {
        var model = "dev.ml.override" + Suffix();
        var v1 = await fixture.RegisterVersionAsync(model);
        var v2 = await fixture.RegisterVersionAsync(model);
        await fixture.SetAliasAsync(model, "champion", v2);
        using var overrider = await fixture.PrincipalAsync("ovr-" + Suffix(), "ml_engineer", "rollback_override");

        var accepted = await overrider.PostAsJsonAsync($"/api/models/{model}/rollback", new { toVersion = v1, reason = "v2 misbehaves in prod" });

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var message = (await fixture.OutboxMessagesAsync("RollbackModel")).Single(m => m.GetProperty("modelName").GetString() == model);
        Assert.True(message.GetProperty("override").GetBoolean());
        Assert.Equal(v1, message.GetProperty("toVersion").GetInt32());
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string permission)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(permission, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("permission").GetString());
    }

    private static string Suffix() => Guid.NewGuid().ToString("N")[..6];
}
