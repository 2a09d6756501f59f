namespace Mlops.Orchestrator.Tests.Pipeline;

/// <summary>A re-check of an alert in messaging.outbox: the alert sent again, due when the cooldown that held it back ends.</summary>
public sealed record OutboxRecheck
{
    public Guid MessageId { get; init; }
    public Guid SchedulingTokenId { get; init; }
    public DateTime DeliverAfter { get; init; }
    public DateTime? DeliveredAt { get; init; }
}
