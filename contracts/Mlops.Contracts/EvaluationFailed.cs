namespace Mlops.Contracts;

/// <summary>The evaluation could not run (e.g. an artifact failed its integrity check).</summary>
public record EvaluationFailed
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The challenger.</summary>
    public int Version { get; init; }

    /// <summary>Why.</summary>
    public string Reason { get; init; } = "";
}
