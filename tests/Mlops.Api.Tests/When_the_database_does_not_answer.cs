using System.Net;
using System.Net.Http.Json;
using Dapper;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>A transient failure is a 503 that changed nothing; the client's retry with the same Idempotency-Key then goes through once.</summary>
public sealed class When_the_database_does_not_answer(SlowDatabaseFixture fixture) : IClassFixture<SlowDatabaseFixture>
{
    // AuditLog's advisory lock on the audit chain: holding it makes every audited write wait until its command times out.
    private const long ChainLock = 0x4D4C4F5053_A1;

    [Fact]
    public async Task The_request_gets_503_and_its_retry_publishes_once()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { modelName = "dev.ml.slow", codeVersion = "s1", trainer = "logistic_regression" };
        HttpResponseMessage refused;
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@ChainLock)", new { ChainLock }, transaction);

            refused = await PostAsync(key, body);

            await transaction.RollbackAsync();
        }
        var retried = await PostAsync(key, body);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.False(retried.Headers.Contains("Idempotent-Replayed"));
        Assert.Single(await fixture.OutboxMessagesAsync("TrainingCodeReleased"), m => m.GetProperty("codeVersion").GetString() == "s1");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM audit.entries WHERE action = 'code.released'"));
        var replay = await PostAsync(key, body);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await retried.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
    }

    private Task<HttpResponseMessage> PostAsync(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingestion/code-released") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return fixture.Admin.SendAsync(request);
    }
}
