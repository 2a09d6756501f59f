namespace Mlops.Contracts;

/// <summary>A batch scoring job could not score (unknown model, no champion, a feature version it cannot read...).</summary>
public record BatchScoringFailed
{
    public Guid JobId { get; init; }

    /// <summary>The pipeline run that asked for it, else the job id.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked.</summary>
    public string Principal { get; init; } = "";

    /// <summary>Why.</summary>
    public string Reason { get; init; } = "";
}
