using MassTransit;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Notifications.Delivery;
using Mlops.Notifications.Events;

namespace Mlops.Notifications.Consumers;

/// <summary>
/// Every event that should reach people or other systems, turned into webhook deliveries. One consumer (one queue) for
/// all of them: each message is one transaction (inbox row, event, deliveries). The event id is the message id, so a
/// message delivered twice is one event.
/// </summary>
public sealed partial class WebhookEventsConsumer(DbSession session, EventRecorder recorder, DeliverySignal signal, TimeProvider clock,
    ILogger<WebhookEventsConsumer> logger) :
    IConsumer<ModelRegistered>,
    IConsumer<ModelPromoted>,
    IConsumer<ModelRolledBack>,
    IConsumer<ModelAliasDeleted>,
    IConsumer<PipelineRunFinished>,
    IConsumer<RollbackFailed>,
    IConsumer<ApprovalRequested>,
    IConsumer<ApprovalDeadlineApproaching>,
    IConsumer<DriftDetected>,
    IConsumer<ModelPerformanceDegraded>,
    IConsumer<DataQualityViolated>,
    IConsumer<LatencyBreached>,
    IConsumer<SecurityAlert>
{
    /// <summary>The alias every promotion and rollback moves.</summary>
    private const string Champion = "champion";

    public Task Consume(ConsumeContext<ModelRegistered> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.ModelVersionCreated, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<ModelPromoted> context)
    {
        var m = context.Message;
        return RecordAsync(context, new WebhookEvent(WebhookEventTypes.AliasSet, m.ModelName, m.Environment, new
        {
            alias = Champion, change = "promotion", version = m.Version, previousVersion = m.PreviousVersion, runId = m.CorrelationId, principal = m.Principal,
        }));
    }

    public Task Consume(ConsumeContext<ModelRolledBack> context)
    {
        var m = context.Message;
        return RecordAsync(context, new WebhookEvent(WebhookEventTypes.AliasSet, m.ModelName, m.Environment, new
        {
            alias = Champion, change = "rollback", version = m.ToVersion, previousVersion = (int?)m.FromVersion, runId = m.CorrelationId, principal = m.Principal,
            reason = m.Reason,
        }));
    }

    public Task Consume(ConsumeContext<ModelAliasDeleted> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.AliasDeleted, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<PipelineRunFinished> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.RunFinished, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<RollbackFailed> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.RollbackFailed, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<ApprovalRequested> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.ApprovalRequested, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<ApprovalDeadlineApproaching> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.ApprovalReminder, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<DriftDetected> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.DriftDetected, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<ModelPerformanceDegraded> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.PerformanceDegraded, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<DataQualityViolated> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.DataQualityViolated, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<LatencyBreached> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.LatencyBreached, context.Message.ModelName, context.Message.Environment, context.Message));

    public Task Consume(ConsumeContext<SecurityAlert> context) =>
        RecordAsync(context, new WebhookEvent(WebhookEventTypes.SecurityAlert, null, null, context.Message));

    private async Task RecordAsync(ConsumeContext context, WebhookEvent webhookEvent)
    {
        var eventId = context.MessageId ?? throw new InvalidOperationException($"A {webhookEvent.Type} message arrived without a MessageId.");
        var occurredAt = context.SentTime is { } sent ? new DateTimeOffset(DateTime.SpecifyKind(sent, DateTimeKind.Utc)) : clock.GetUtcNow();
        var deliveries = await recorder.RecordAsync(session, eventId, occurredAt, webhookEvent, context.CancellationToken);
        if (deliveries > 0)
            session.AfterCommit(signal.Wake);
        LogRecorded(logger, webhookEvent.Type, eventId, webhookEvent.ModelName, deliveries);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventType} {EventId} about {ModelName}: {Deliveries} webhook deliveries")]
    private static partial void LogRecorded(ILogger logger, string eventType, Guid eventId, string? modelName, int deliveries);
}
