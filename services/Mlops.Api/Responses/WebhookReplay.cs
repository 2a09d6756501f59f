namespace Mlops.Api.Responses;

/// <summary>How many events of [from, to) a replay queued again, as new deliveries at the end of the subscription's sequence.</summary>
public sealed record WebhookReplay(Guid SubscriptionId, DateTimeOffset From, DateTimeOffset To, int Deliveries);
