namespace Mlops.Hosting.Retention;

/// <summary>Hosting's own retention: delivered and parked outbox rows, the inbox, replayed dead letters.</summary>
public static class MessagingRetention
{
    public static readonly RetentionRule OutboxDelivered = new("OutboxDelivered", """
        DELETE FROM messaging.outbox WHERE ctid IN (
            SELECT ctid FROM messaging.outbox WHERE delivered_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(1));

    /// <summary>Parked rows are kept long: an operator may still want to see why they could not be sent.</summary>
    public static readonly RetentionRule OutboxParked = new("OutboxParked", """
        DELETE FROM messaging.outbox WHERE ctid IN (
            SELECT ctid FROM messaging.outbox WHERE delivered_at IS NULL AND parked_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(30));

    /// <summary>Must outlast any redelivery, or a late duplicate would be processed again.</summary>
    public static readonly RetentionRule Inbox = new("Inbox", """
        DELETE FROM messaging.inbox WHERE ctid IN (
            SELECT ctid FROM messaging.inbox WHERE processed_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(7));

    public static readonly RetentionRule DeadLettersReplayed = new("DeadLettersReplayed", """
        DELETE FROM messaging.dead_letters WHERE ctid IN (
            SELECT ctid FROM messaging.dead_letters WHERE replayed_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(30));
}
