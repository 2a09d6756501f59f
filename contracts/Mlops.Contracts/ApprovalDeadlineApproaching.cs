namespace Mlops.Contracts;

/// <summary>A promotion still waits for a person, and its approval deadline is near: the reminder.</summary>
public record ApprovalDeadlineApproaching
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version waiting to be promoted.</summary>
    public int Version { get; init; }

    /// <summary>When the run ends Rejected unless someone approves or denies it first.</summary>
    public DateTimeOffset DeadlineAt { get; init; }
}
