namespace Mlops.Contracts;

/// <summary>Move the champion back (to a named version, or to the champion before the current one).</summary>
public record RollbackModel
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version to return to; the previous champion when empty.</summary>
    public int? ToVersion { get; init; }

    /// <summary>Why. Required with <see cref="Override"/>: it is kept in the alias history.</summary>
    public string Reason { get; init; } = "";

    /// <summary>
    /// Roll back to a version that was never champion (still ready, never archived). Without it, only a version the alias
    /// history shows as champion before is a target.
    /// </summary>
    public bool Override { get; init; }
}
