using System.Net.Http.Json;
using Mlops.Contracts;
using Mlops.Notifications.Events;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_a_receiver_is_down(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [Fact]
    public async Task It_gets_every_event_after_it_comes_back_in_order_with_no_gaps()
    {
        const string model = "dev.ml.churn_down";
        var subscription = await fixture.SubscribeAsync("down", model, WebhookEventTypes.ModelVersionCreated);
        await fixture.Receiver.StopAsync();
        try
        {
            // Each event is recorded before the next is published, so the order the platform saw them in is known.
            for (var version = 1; version <= 8; version++)
            {
                await fixture.PublishAsync(new ModelRegistered { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Version = version });
                var expected = version;
                await Wait.RowsAsync(fixture, subscription, rows => rows.Count == expected, $"delivery {expected} recorded");
            }
            // Only the head is tried while the receiver is down; the others wait their turn.
            var waiting = await Wait.RowsAsync(fixture, subscription, rows => rows[0].Attempts >= 3, "the head retried several times");
            Assert.All(waiting, row => Assert.Equal("pending", row.Status));
            Assert.All(waiting.Skip(1), row => Assert.Equal(0, row.Attempts));
            Assert.Contains("127.0.0.1", waiting[0].LastError);
        }
        finally
        {
            await fixture.Receiver.StartAsync();
        }

        var received = await fixture.Receiver.WaitAsync("down", r => r.Count >= 8, "eight webhooks once the receiver is back");
        Assert.All(received, r => Assert.True(r.Verified));
        Assert.Equal(Enumerable.Range(1, 8), received.Select(r => r.Json.GetProperty("data").GetProperty("version").GetInt32()));
        var rows = await Wait.DeliveredAsync(fixture, subscription, 8);
        Assert.Equal(rows.Select(r => r.Id.ToString()), received.Select(r => r.DeliveryId));
        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), rows.Select(r => r.Sequence));
    }

    [Fact]
    public async Task A_receiver_answering_errors_is_retried_and_one_refusing_is_skipped()
    {
        const string model = "dev.ml.churn_flaky";
        var subscription = await fixture.SubscribeAsync("flaky", model, WebhookEventTypes.RunFinished);
        var answers = new Queue<int>([503, 429, 500, 400, 200]);
        fixture.Receiver.Answer("flaky", () => answers.TryDequeue(out var status) ? status : 200);

        await fixture.PublishAsync(new PipelineRunFinished { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Outcome = "Completed" });
        await Wait.RowsAsync(fixture, subscription, rows => rows.Count == 1, "the first delivery recorded");
        await fixture.PublishAsync(new PipelineRunFinished { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Outcome = "Failed" });

        var rows = await Wait.RowsAsync(fixture, subscription, rows => rows.Count == 2 && rows.All(r => r.Status != "pending"), "both deliveries settled");
        // 503, 429 and 500 are transient: the first delivery was tried until the receiver refused it for good with 400.
        Assert.Equal(("failed", 4, 400), (rows[0].Status, rows[0].Attempts, rows[0].LastStatusCode));
        Assert.Equal(("delivered", 1, 200), (rows[1].Status, rows[1].Attempts, rows[1].LastStatusCode));
        Assert.Equal(["Completed", "Completed", "Completed", "Completed", "Failed"],
            fixture.Receiver.For("flaky").Select(r => r.Json.GetProperty("data").GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task A_receiver_answering_gone_disables_the_subscription_until_it_is_enabled()
    {
        const string model = "dev.ml.churn_gone";
        var subscription = await fixture.SubscribeAsync("gone", model, WebhookEventTypes.AliasSet);
        fixture.Receiver.Answer("gone", () => 410);
        await fixture.PublishAsync(new ModelPromoted { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Version = 1 });
        await Wait.RowsAsync(fixture, subscription, rows => rows.Count == 1 && rows[0].Status == "failed", "the 410 delivery failed");
        Assert.Equal("disabled", await fixture.Database.ScalarAsync<string>("SELECT status FROM notifications.subscriptions WHERE id = @subscription", new { subscription }));

        await fixture.PublishAsync(new ModelPromoted { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Version = 2, PreviousVersion = 1 });
        await fixture.PublishAsync(new ModelRolledBack { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", FromVersion = 2, ToVersion = 1 });
        await Mlops.Testing.Eventually.WaitAsync(async () => await fixture.Database.ScalarAsync<long>(
            "SELECT count(*) FROM notifications.events WHERE model_name = @model", new { model }) == 3, "the events while disabled recorded");
        fixture.Receiver.Answer("gone", () => 200);
        var enabled = await fixture.Admin.PostAsJsonAsync($"/api/webhooks/{subscription}/enable", new { reason = "receiver redeployed" });
        await NotificationsFixture.EnsureAsync(enabled);
        Assert.Equal("enabled by root: receiver redeployed",
            (await enabled.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("statusReason").GetString());

        // Disabled, it receives no new events; enabled again, it gets what queued before it was disabled (nothing) and what comes now.
        await fixture.PublishAsync(new ModelPromoted { CorrelationId = Guid.NewGuid(), ModelName = model, Environment = "dev", Version = 3, PreviousVersion = 1 });
        var received = await fixture.Receiver.WaitAsync("gone", r => r.Any(x => x.Answered == 200), "a delivery after enabling");
        Assert.Equal([1, 3], received.Select(r => r.Json.GetProperty("data").GetProperty("version").GetInt32()));
        Assert.Equal("alias.set", received[^1].EventType);
    }
}
