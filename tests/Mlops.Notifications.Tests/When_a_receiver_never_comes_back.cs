using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Contracts;
using Mlops.Notifications.Events;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_a_receiver_never_comes_back(ShortGiveUp fixture) : IClassFixture<ShortGiveUp>
{
    [Fact]
    public async Task The_delivery_is_marked_failed_after_the_give_up_time_and_the_next_one_goes()
    {
        const string model = "dev.ml.churn_never";
        var subscription = await fixture.SubscribeAsync("never", model, WebhookEventTypes.ModelVersionCreated);
        fixture.Receiver.Answer("never", () => 503);
        await fixture.PublishAsync(new ModelRegistered { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Version = 1 });
        await Wait.RowsAsync(fixture, subscription, rows => rows.Count == 1, "the first delivery recorded");
        await fixture.PublishAsync(new ModelRegistered { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Version = 2 });
        await Wait.RowsAsync(fixture, subscription, rows => rows.Count == 2, "the second delivery recorded");

        var failed = await Wait.RowsAsync(fixture, subscription, rows => rows[0].Status == "failed", "the first delivery given up");
        fixture.Receiver.Answer("never", () => 200);

        Assert.True(failed[0].Attempts >= 2, $"{failed[0].Attempts} attempts");
        Assert.Equal(503, failed[0].LastStatusCode);
        Assert.StartsWith($"gave up after {failed[0].Attempts} attempts over ", failed[0].LastError);
        var rows = await Wait.DeliveredAsync(fixture, subscription, 1);
        Assert.Equal(("failed", "delivered"), (rows[0].Status, rows[1].Status));
        var log = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{subscription}/deliveries?status=failed");
        Assert.Equal(rows[0].Id, log.EnumerateArray().Single().GetProperty("id").GetGuid());

        using var http = new HttpClient { BaseAddress = NotificationsFixture.AddressOf(fixture.Notifications) };
        var health = await http.GetFromJsonAsync<JsonElement>("/health/ready");
        var check = health.GetProperty("checks").GetProperty("webhook-deliveries");
        Assert.Equal("Degraded", check.GetProperty("status").GetString());
        Assert.True(check.GetProperty("data").GetProperty("failedLastDay").GetInt64() >= 1);
    }
}
