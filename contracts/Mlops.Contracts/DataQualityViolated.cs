namespace Mlops.Contracts;

/// <summary>Data failed a quality check (at feature refresh, or in monitoring); the run that needed it stops.</summary>
public record DataQualityViolated
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>feature_refresh or monitoring.</summary>
    public string Source { get; init; } = "";

    /// <summary>The feature table concerned, if any.</summary>
    public string? FeatureTable { get; init; }

    /// <summary>Every check that failed, with numbers.</summary>
    public IReadOnlyList<string> Violations { get; init; } = [];
}
