namespace Mlops.Notifications.Delivery;

/// <summary>A delivery one dispatcher holds the lease of: the head of its subscription's sequence, with what it sends.</summary>
public sealed record ClaimedDelivery(Guid Id, Guid SubscriptionId, long Sequence, int Attempts, DateTime FirstAttemptAt, string EventType, string Body, string Url,
    byte[] SecretEncrypted);
