namespace Mlops.Contracts;

/// <summary>Compute a new version of a feature table from raw data.</summary>
public record RefreshFeatures
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The feature table to refresh.</summary>
    public string FeatureTable { get; init; } = "";

    /// <summary>The raw table to read.</summary>
    public string SourceTable { get; init; } = "";

    /// <summary>The batch to read; the latest when empty.</summary>
    public Guid? RawBatchId { get; init; }
}
