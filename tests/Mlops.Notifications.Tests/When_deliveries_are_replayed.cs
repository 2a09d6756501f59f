using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mlops.Contracts;
using Mlops.Notifications.Events;
using Mlops.Testing;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_deliveries_are_replayed(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [Fact]
    public async Task The_events_of_the_time_range_are_sent_again_in_order_with_new_delivery_ids()
    {
        const string model = "dev.ml.churn_replay";
        var subscription = await fixture.SubscribeAsync("replay", model, WebhookEventTypes.DriftDetected);
        var occurred = new List<DateTime>();
        for (var i = 1; i <= 5; i++)
        {
            await fixture.PublishAsync(new DriftDetected { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Feature = $"f{i}", Metric = "psi" });
            var expected = i;
            await Wait.DeliveredAsync(fixture, subscription, expected);
        }
        var times = await fixture.Database.QueryAsync<DateTime>("""
            SELECT e.occurred_at FROM notifications.deliveries d JOIN notifications.events e ON e.id = d.event_id
            WHERE d.subscription_id = @subscription ORDER BY d.sequence
            """, new { subscription });
        var original = fixture.Receiver.For("replay");

        // Events 2..4: from the second's instant, to just after the fourth's.
        var response = await fixture.Admin.PostAsJsonAsync($"/api/webhooks/{subscription}/replay", new { from = times[1], to = times[3].AddTicks(10) });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(3, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deliveries").GetInt32());
        var received = await fixture.Receiver.WaitAsync("replay", r => r.Count >= 8, "three replayed webhooks");
        var replayed = received.Skip(5).ToList();
        Assert.Equal(["f2", "f3", "f4"], replayed.Select(r => r.Json.GetProperty("data").GetProperty("feature").GetString()));
        Assert.Equal(original.Skip(1).Take(3).Select(r => r.EventId), replayed.Select(r => r.EventId));
        Assert.Equal(original.Skip(1).Take(3).Select(r => r.Body), replayed.Select(r => r.Body));
        Assert.Empty(replayed.Select(r => r.DeliveryId).Intersect(original.Select(r => r.DeliveryId)));
        Assert.All(replayed, r => Assert.True(r.Verified));

        var log = await fixture.Admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{subscription}/deliveries");
        Assert.Equal(8, log.GetArrayLength());
        Assert.Equal(3, log.EnumerateArray().Count(d => d.GetProperty("replayOf").ValueKind == JsonValueKind.String));
        await Eventually.WaitAsync(async () => (await fixture.DeliveriesAsync(subscription)).All(r => r.Status == "delivered"), "every delivery delivered");
        Assert.Equal(1, await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM audit.entries WHERE action = 'webhook.replay' AND resource = @resource", new { resource = $"webhook:{subscription}" }));
    }

    [Fact]
    public async Task A_range_that_is_not_one_is_refused()
    {
        var subscription = await fixture.SubscribeAsync("replay-bad", "dev.ml.churn_replay_bad", WebhookEventTypes.DriftDetected);
        var now = DateTimeOffset.UtcNow;

        var backwards = await fixture.Admin.PostAsJsonAsync($"/api/webhooks/{subscription}/replay", new { from = now, to = now.AddHours(-1) });
        var missing = await fixture.Admin.PostAsJsonAsync($"/api/webhooks/{subscription}/replay", new { from = now });
        var unknown = await fixture.Admin.PostAsJsonAsync($"/api/webhooks/{Guid.NewGuid()}/replay", new { from = now.AddHours(-1), to = now });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (backwards.StatusCode, missing.StatusCode, unknown.StatusCode));
        Assert.Equal("to", (await backwards.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
    }
}
