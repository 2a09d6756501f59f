namespace Mlops.Contracts;

/// <summary>A new feature table version passed its data-quality checks.</summary>
public record FeatureTableRefreshed
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

    /// <summary>The version written.</summary>
    public int FeatureVersion { get; init; }

    /// <summary>Rows in the version.</summary>
    public long RowCount { get; init; }

    /// <summary>The raw batches the version was computed from.</summary>
    public IReadOnlyList<Guid> RawBatchIds { get; init; } = [];

    /// <summary>Per-feature statistics of the version.</summary>
    public IReadOnlyList<FeatureStatistics> Statistics { get; init; } = [];
}
