using Mlops.Contracts;
using Mlops.Notifications.Events;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_an_event_reaches_a_webhook(NotificationsFixture fixture) : IClassFixture<NotificationsFixture>
{
    [Fact]
    public async Task The_receiver_verifies_the_signature_and_gets_the_event()
    {
        var subscription = await fixture.SubscribeAsync("created", "dev.ml.churn_signed", WebhookEventTypes.ModelVersionCreated);
        var runId = Guid.NewGuid();

        await fixture.PublishAsync(new ModelRegistered { CorrelationId = runId, ModelName = "dev.ml.churn_signed", Environment = "dev", Principal = "trainer", Version = 7 });

        var received = (await fixture.Receiver.WaitAsync("created", r => r.Count >= 1, "the model_version.created webhook")).Single();
        Assert.True(received.Verified);
        Assert.Equal(WebhookEventTypes.ModelVersionCreated, received.EventType);
        var body = received.Json;
        Assert.Equal((WebhookEventTypes.ModelVersionCreated, "dev.ml.churn_signed", "dev"),
            (body.GetProperty("type").GetString(), body.GetProperty("model").GetString(), body.GetProperty("environment").GetString()));
        Assert.Equal((7, runId), (body.GetProperty("data").GetProperty("version").GetInt32(), body.GetProperty("data").GetProperty("correlationId").GetGuid()));
        var row = (await Wait.DeliveredAsync(fixture, subscription, 1)).Single();
        Assert.Equal((Guid.Parse(received.DeliveryId), received.EventId, 1L, 200), (row.Id, row.EventId, row.Sequence, row.LastStatusCode));
    }

    [Fact]
    public async Task A_tampered_body_fails_verification()
    {
        await fixture.SubscribeAsync("tamper", "dev.ml.churn_tamper", WebhookEventTypes.RunFinished);
        await fixture.PublishAsync(new PipelineRunFinished { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.churn_tamper", Environment = "dev", Outcome = "Completed" });
        var received = (await fixture.Receiver.WaitAsync("tamper", r => r.Count >= 1, "the run.finished webhook")).Single();
        Assert.True(received.Verified);
        var secret = fixture.Receiver.SecretOf("tamper");

        var tampered = received.Body.Replace("\"Completed\"", "\"Rejected\"", StringComparison.Ordinal);

        Assert.NotEqual(received.Body, tampered);
        Assert.False(ReceiverRecipe.Verify(secret, received.DeliveryId, received.Timestamp, tampered, received.Signature));
        Assert.False(ReceiverRecipe.Verify(secret, Guid.NewGuid().ToString(), received.Timestamp, received.Body, received.Signature));
        Assert.False(ReceiverRecipe.Verify(secret, received.DeliveryId, (long.Parse(received.Timestamp) + 1).ToString(), received.Body, received.Signature));
        Assert.False(ReceiverRecipe.Verify("whsec_another_secret_of_enough_length", received.DeliveryId, received.Timestamp, received.Body, received.Signature));
    }

    [Fact]
    public async Task Only_matching_subscriptions_get_it()
    {
        await fixture.SubscribeAsync("this-model", "dev.ml.churn_match", WebhookEventTypes.DriftDetected);
        await fixture.SubscribeAsync("other-model", "dev.ml.churn_other", WebhookEventTypes.DriftDetected);
        await fixture.SubscribeAsync("other-type", "dev.ml.churn_match", WebhookEventTypes.PerformanceDegraded);
        await fixture.SubscribeAsync("registry", null, WebhookEventTypes.DriftDetected, WebhookEventTypes.SecurityAlert);

        await fixture.PublishAsync(new DriftDetected { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.churn_match", Environment = "dev", Feature = "age", Metric = "psi" });
        await fixture.PublishAsync(new SecurityAlert { AlertId = Guid.NewGuid(), Principal = "mallory", Refusals = 5, Permission = "models.write" });

        var registry = await fixture.Receiver.WaitAsync("registry", r => r.Count >= 2, "the registry-wide hook's two events");
        Assert.Equal([WebhookEventTypes.DriftDetected, WebhookEventTypes.SecurityAlert], registry.Select(r => r.EventType).Order().ToArray());
        Assert.Equal("mallory", registry.Single(r => r.EventType == WebhookEventTypes.SecurityAlert).Json.GetProperty("data").GetProperty("principal").GetString());
        var matching = await fixture.Receiver.WaitAsync("this-model", r => r.Count >= 1, "the model's hook");
        Assert.Equal(WebhookEventTypes.DriftDetected, matching.Single().EventType);
        Assert.Empty(fixture.Receiver.For("other-model"));
        Assert.Empty(fixture.Receiver.For("other-type"));
    }

    [Fact]
    public async Task A_message_delivered_twice_is_one_event()
    {
        var subscription = await fixture.SubscribeAsync("twice", "dev.ml.churn_twice", WebhookEventTypes.ApprovalRequested);
        var messageId = Guid.NewGuid();
        var message = new ApprovalRequested { CorrelationId = Guid.NewGuid(), ModelName = "dev.ml.churn_twice", Environment = "dev", Version = 3 };

        await fixture.PublishAsync(message, messageId);
        await fixture.PublishAsync(message, messageId);
        await fixture.PublishAsync(message with { Version = 4 });

        await Wait.DeliveredAsync(fixture, subscription, 2);
        var received = await fixture.Receiver.WaitAsync("twice", r => r.Count >= 2, "two approval webhooks");
        Assert.Equal([3, 4], received.Select(r => r.Json.GetProperty("data").GetProperty("version").GetInt32()).Order().ToArray());
        Assert.Equal(messageId, received.Single(r => r.Json.GetProperty("data").GetProperty("version").GetInt32() == 3).EventId);
        Assert.Equal(2, (await fixture.DeliveriesAsync(subscription)).Count);
    }

    [Theory]
    [InlineData("dev.ml.nul\u0000name")]
    [InlineData("dev.ml.lone\ud800surrogate")]
    [InlineData("")]
    public async Task Text_PostgreSQL_would_refuse_is_still_delivered(string escapedModelName)
    {
        var modelName = System.Text.RegularExpressions.Regex.Unescape(escapedModelName);
        var hook = "odd-" + Guid.NewGuid().ToString("N")[..8];
        await fixture.SubscribeAsync(hook, null, WebhookEventTypes.RollbackFailed);
        var runId = Guid.NewGuid();

        await fixture.PublishAsync(new RollbackFailed { CorrelationId = runId, ModelName = modelName, Environment = "dev", Reason = "bad \0 input" });

        var received = (await fixture.Receiver.WaitAsync(hook, r => r.Count >= 1, "the rollback.failed webhook")).Single();
        Assert.True(received.Verified);
        Assert.Equal(runId, received.Json.GetProperty("data").GetProperty("correlationId").GetGuid());
    }
}
