using System.Text.Json;
using Dapper;
using Mlops.Hosting.Data;

namespace Mlops.Notifications.Events;

/// <summary>
/// Turns an event into its stored body and one pending delivery per matching active subscription, in the consumer's
/// transaction: the event and its deliveries commit with the inbox row, so a webhook can never be lost. Each delivery takes
/// its subscription's next sequence number under the subscription row's lock, so sequence order is commit order and the
/// dispatcher never sees a later delivery before an earlier one (no gaps).
/// </summary>
public sealed class EventRecorder
{
    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    /// <summary>Records the event; returns how many deliveries it made (0 when the event was recorded before).</summary>
    public async Task<int> RecordAsync(DbSession session, Guid eventId, DateTimeOffset occurredAt, WebhookEvent webhookEvent, CancellationToken cancellationToken)
    {
        var body = JsonSerializer.Serialize(new
        {
            id = eventId,
            type = webhookEvent.Type,
            occurredAt = occurredAt.ToUniversalTime(),
            model = webhookEvent.ModelName,
            environment = webhookEvent.Environment,
            data = webhookEvent.Data,
        }, BodyJson);

        // Whatever a message carries, the event is stored and sent: the body is JSON (U+0000 and lone surrogates escaped),
        // and the model name, if PostgreSQL would refuse it, is kept with visible escapes (it then matches no model's subscription).
        var modelName = StorableText.OfNullable(webhookEvent.ModelName);
        var inserted = await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO notifications.events (id, event_type, model_name, occurred_at, body)
            VALUES (@eventId, @Type, @modelName, @occurredAt, @body)
            ON CONFLICT (id) DO NOTHING
            """, new { eventId, webhookEvent.Type, modelName, occurredAt, body }, session.Transaction, cancellationToken: cancellationToken));
        if (inserted == 0)
            return 0;

        return await session.Connection.ExecuteAsync(new CommandDefinition("""
            WITH matching AS (
                SELECT id FROM notifications.subscriptions
                WHERE status = 'active' AND @Type = ANY (event_types) AND (model_name IS NULL OR model_name = @ModelName)
                ORDER BY id
                FOR UPDATE
            ), numbered AS (
                UPDATE notifications.subscriptions s SET next_sequence = s.next_sequence + 1
                FROM matching WHERE s.id = matching.id
                RETURNING s.id, s.next_sequence - 1 AS sequence
            )
            INSERT INTO notifications.deliveries (id, subscription_id, sequence, event_id)
            SELECT gen_random_uuid(), numbered.id, numbered.sequence, @eventId FROM numbered
            """, new { eventId, webhookEvent.Type, ModelName = modelName }, session.Transaction, cancellationToken: cancellationToken));
    }
}
