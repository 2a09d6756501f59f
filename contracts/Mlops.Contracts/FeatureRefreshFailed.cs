namespace Mlops.Contracts;

/// <summary>A feature refresh could not run (unknown table, missing batch, ...).</summary>
public record FeatureRefreshFailed
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The feature table.</summary>
    public string FeatureTable { get; init; } = "";

    /// <summary>Why.</summary>
    public string Reason { get; init; } = "";
}
