using Mlops.Hosting.Retention;

namespace Mlops.Notifications;

/// <summary>
/// The delivery log is kept for replays and questions: delivered rows go after Retention:WebhookDeliveries:Period (failed
/// ones stay), and an event goes once no delivery names it and it is older than Retention:WebhookEvents:Period.
/// </summary>
public static class NotificationsRetention
{
    public static readonly RetentionRule WebhookDeliveries = new("WebhookDeliveries", """
        DELETE FROM notifications.deliveries WHERE ctid IN (
            SELECT d.ctid FROM notifications.deliveries d
            WHERE d.status = 'delivered' AND d.delivered_at < @Cutoff
              AND NOT EXISTS (SELECT 1 FROM notifications.deliveries r WHERE r.replay_of = d.id)
            LIMIT @BatchSize)
        """, TimeSpan.FromDays(30));

    public static readonly RetentionRule WebhookEvents = new("WebhookEvents", """
        DELETE FROM notifications.events WHERE ctid IN (
            SELECT e.ctid FROM notifications.events e
            WHERE e.occurred_at < @Cutoff AND NOT EXISTS (SELECT 1 FROM notifications.deliveries d WHERE d.event_id = e.id)
            LIMIT @BatchSize)
        """, TimeSpan.FromDays(30));
}
