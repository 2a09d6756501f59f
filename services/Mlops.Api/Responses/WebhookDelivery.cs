namespace Mlops.Api.Responses;

/// <summary>
/// One row of a subscription's delivery log: pending (waiting for its turn or its next attempt), delivered or failed (refused by
/// the receiver, or still failing after Webhooks:Delivery:GiveUpAfter). A replay is a new delivery naming the one it replays.
/// </summary>
public sealed record WebhookDelivery(Guid Id, long Sequence, Guid EventId, string EventType, DateTime OccurredAt, Guid? ReplayOf, string Status,
    int Attempts, int? LastStatusCode, string? LastError, DateTime CreatedAt, DateTime NextAttemptAt, DateTime? DeliveredAt, DateTime? FailedAt);
