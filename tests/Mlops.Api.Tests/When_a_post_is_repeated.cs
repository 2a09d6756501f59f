using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Testing;
using Xunit;

namespace Mlops.Api.Tests;

/// <summary>Idempotency-Key: the same key and body replay the stored response and publish nothing again; another body is refused.</summary>
public sealed class When_a_post_is_repeated(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task The_same_key_and_body_replay_the_first_response()
    {
        var key = Guid.NewGuid().ToString();
        var body = new { environment = "dev", batchId = Guid.NewGuid(), sourceTable = "raw.churn_customers", rowCount = 42 };

        var first = await PostAsync(key, body);
        var second = await PostAsync(key, body);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        var landed = await fixture.OutboxMessagesAsync("RawDataLanded");
        Assert.Single(landed, m => m.GetProperty("batchId").GetGuid() == body.batchId);
        await Eventually.WaitAsync(() => fixture.Database.ScalarAsync<bool>(
            "SELECT bool_and(delivered_at IS NOT NULL) FROM messaging.outbox WHERE message_type LIKE '%Mlops.Contracts:RawDataLanded%'"), "the outbox to hand the message to the broker");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'data.landed' AND resource LIKE '%' || @batch", new { batch = body.batchId.ToString() }));
    }

    [Fact]
    public async Task The_same_key_with_another_body_is_refused()
    {
        var key = Guid.NewGuid().ToString();
        var first = await PostAsync(key, new { environment = "dev", batchId = Guid.NewGuid(), sourceTable = "raw.churn_customers", rowCount = 1 });
        var before = await fixture.OutboxCountAsync("RawDataLanded");

        var second = await PostAsync(key, new { environment = "dev", batchId = Guid.NewGuid(), sourceTable = "raw.churn_customers", rowCount = 2 });

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, second.StatusCode);
        Assert.Equal("Idempotency-Key", (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(before, await fixture.OutboxCountAsync("RawDataLanded"));
    }

    [Fact]
    public async Task Keys_belong_to_their_principal()
    {
        var key = Guid.NewGuid().ToString();
        using var other = await fixture.PrincipalAsync("other-engineer", "ml_engineer");
        var batch = Guid.NewGuid();

        var mine = await PostAsync(key, new { environment = "dev", batchId = batch, sourceTable = "raw.churn_customers", rowCount = 1 });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingestion/data-landed")
        {
            Content = JsonContent.Create(new { environment = "dev", batchId = batch, sourceTable = "raw.churn_customers", rowCount = 1 }),
        };
        request.Headers.Add("Idempotency-Key", key);
        var theirs = await other.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, mine.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, theirs.StatusCode);
        Assert.False(theirs.Headers.Contains("Idempotent-Replayed"));
    }

    private Task<HttpResponseMessage> PostAsync(string key, object body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/ingestion/data-landed") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return fixture.Admin.SendAsync(request);
    }
}
