using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Notifications.Events;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_webhooks_are_managed_through_the_api(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    private static object Subscription(string? model, params string[] eventTypes) =>
        new { url = "https://hooks.example.com/mlops", model, eventTypes, secret = "0123456789abcdef0123456789abcdef" };

    [Fact]
    public async Task A_model_subscription_needs_models_write_in_its_catalog_and_a_registry_wide_one_needs_admin()
    {
        var scientist = await fixture.PrincipalAsync("dana", "data_scientist");

        var dev = await scientist.PostAsJsonAsync("/api/webhooks", Subscription("dev.ml.churn_api", WebhookEventTypes.ModelVersionCreated));
        var prod = await scientist.PostAsJsonAsync("/api/webhooks", Subscription("prod.ml.churn_api", WebhookEventTypes.ModelVersionCreated));
        var registry = await scientist.PostAsJsonAsync("/api/webhooks", Subscription(null, WebhookEventTypes.SecurityAlert));

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Forbidden, HttpStatusCode.Forbidden), (dev.StatusCode, prod.StatusCode, registry.StatusCode));
        Assert.Equal(("models.write", "prod"), Permission(await prod.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal(("webhooks.manage", "*"), Permission(await registry.Content.ReadFromJsonAsync<JsonElement>()));
        var created = await dev.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("dev.ml.churn_api", "active", "dana"),
            (created.GetProperty("model").GetString(), created.GetProperty("status").GetString(), created.GetProperty("createdBy").GetString()));
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'webhook.create' AND principal = 'dana' AND resource = @resource AND outcome = 'succeeded'",
            new { resource = $"webhook:{id}" }));
        Assert.Equal(2, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'webhook.create' AND principal = 'dana' AND outcome = 'denied'"));

        var listed = await scientist.GetFromJsonAsync<JsonElement>("/api/webhooks");
        Assert.Contains(listed.EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
        Assert.All(listed.EnumerateArray(), s => Assert.StartsWith("dev.", s.GetProperty("model").GetString()));

        var deleted = await scientist.DeleteAsync($"/api/webhooks/{id}");
        var again = await scientist.DeleteAsync($"/api/webhooks/{id}");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.Conflict), (deleted.StatusCode, again.StatusCode));
        Assert.Equal("deleted", (await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{id}")).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("url", "{\"url\":\"ftp://example.com/x\",\"eventTypes\":[\"run.finished\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("url", "{\"url\":\"not a url\",\"eventTypes\":[\"run.finished\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("url", "{\"eventTypes\":[\"run.finished\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("model", "{\"url\":\"https://h.example.com/\",\"model\":\"churn\",\"eventTypes\":[\"run.finished\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("eventTypes", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("eventTypes[1]", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[\"run.finished\",\"run.started\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("eventTypes[0]", "{\"url\":\"https://h.example.com/\",\"model\":\"dev.ml.churn\",\"eventTypes\":[\"security.alert\"],\"secret\":\"0123456789abcdef0123456789abcdef\"}")]
    [InlineData("secret", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[\"run.finished\"],\"secret\":\"short\"}")]
    [InlineData("secret", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[\"run.finished\"],\"secret\":\"has spaces in it which are not allowed\"}")]
    [InlineData("secret", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[\"run.finished\"]}")]
    [InlineData("description", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[\"run.finished\"],\"secret\":\"0123456789abcdef0123456789abcdef\",\"description\":\"\\u0000\"}")]
    [InlineData("principal", "{\"url\":\"https://h.example.com/\",\"eventTypes\":[\"run.finished\"],\"secret\":\"0123456789abcdef0123456789abcdef\",\"principal\":\"mallory\"}")]
    public async Task Bad_input_is_refused_naming_the_field(string field, string body)
    {
        var before = await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM notifications.subscriptions");

        var response = await fixture.Admin.PostAsync("/api/webhooks", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        Assert.Equal(before, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM notifications.subscriptions"));
    }

    [Fact]
    public async Task A_create_repeated_with_the_same_idempotency_key_creates_one_subscription()
    {
        using var request1 = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonContent.Create(Subscription("dev.ml.churn_idem", "run.finished")) };
        request1.Headers.Add("Idempotency-Key", "create-churn-idem");
        using var request2 = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonContent.Create(Subscription("dev.ml.churn_idem", "run.finished")) };
        request2.Headers.Add("Idempotency-Key", "create-churn-idem");

        var first = await fixture.Admin.SendAsync(request1);
        var second = await fixture.Admin.SendAsync(request2);

        Assert.Equal((HttpStatusCode.Created, HttpStatusCode.Created), (first.StatusCode, second.StatusCode));
        Assert.Equal("true", second.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>("SELECT count(*) FROM notifications.subscriptions WHERE model_name = 'dev.ml.churn_idem'"));
    }

    [Fact]
    public async Task The_event_types_are_the_ones_the_service_raises()
    {
        var types = await fixture.Admin.GetFromJsonAsync<JsonElement>("/api/webhooks/event-types");

        Assert.Equal(WebhookEventTypes.All.Order(StringComparer.Ordinal), types.EnumerateArray().Select(t => t.GetProperty("name").GetString()!));
        Assert.False(types.EnumerateArray().Single(t => t.GetProperty("name").GetString() == WebhookEventTypes.SecurityAlert).GetProperty("modelScoped").GetBoolean());
    }

    [Fact]
    public async Task The_delivery_log_filters_by_status()
    {
        var subscription = await fixture.SubscribeAsync("log", "dev.ml.churn_log", WebhookEventTypes.RollbackFailed);
        fixture.Receiver.Answer("log", () => 404);
        await fixture.PublishAsync(new Mlops.Contracts.RollbackFailed { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.churn_log", Environment = "dev", Reason = "no champion" });
        await Wait.RowsAsync(fixture, subscription, rows => rows.Count == 1 && rows[0].Status == "failed", "the refused delivery failed");

        var failed = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{subscription}/deliveries?status=failed");
        var delivered = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{subscription}/deliveries?status=delivered");
        var bad = await fixture.Admin.GetAsync($"/api/webhooks/{subscription}/deliveries?status=lost");

        var row = failed.EnumerateArray().Single();
        Assert.Equal((WebhookEventTypes.RollbackFailed, 404, 1), (row.GetProperty("eventType").GetString(), row.GetProperty("lastStatusCode").GetInt32(), row.GetProperty("attempts").GetInt32()));
        Assert.Contains("404", row.GetProperty("lastError").GetString());
        Assert.Equal(0, delivered.GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    private static (string?, string?) Permission(JsonElement problem) =>
        (problem.GetProperty("permission").GetString(), problem.GetProperty("catalog").GetString());
}
