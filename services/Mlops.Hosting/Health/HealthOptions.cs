namespace Mlops.Hosting.Health;

/// <summary>Where readiness turns Degraded (section "Health"): each crossed threshold names its numbers in the check's data.</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>Due, unsent outbox rows of this service above which it is Degraded.</summary>
    public int OutboxBacklogRows { get; set; } = 1_000;

    /// <summary>How long the oldest due outbox row may wait before the service is Degraded.</summary>
    public TimeSpan OutboxBacklogAge { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Parked outbox rows (never sendable) of this service above which it is Degraded; 0: any parked row.</summary>
    public int ParkedOutboxRows { get; set; }

    /// <summary>Unreplayed dead letters of this service's queues above which it is Degraded; 0: any dead letter.</summary>
    public int DeadLetters { get; set; }
}
