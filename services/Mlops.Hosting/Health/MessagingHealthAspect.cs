namespace Mlops.Hosting.Health;

/// <summary>What a <see cref="MessagingHealthCheck"/> looks at; each is its own entry under /health/ready.</summary>
public enum MessagingHealthAspect
{
    /// <summary>"outbox-backlog": due, unsent outbox rows of this service and the age of the oldest.</summary>
    OutboxBacklog,

    /// <summary>"outbox-parked": outbox rows of this service that can never be sent.</summary>
    OutboxParked,

    /// <summary>"dead-letters": unreplayed dead letters of this service's queues.</summary>
    DeadLetters,
}
