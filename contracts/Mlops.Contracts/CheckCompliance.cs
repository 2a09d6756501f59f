namespace Mlops.Contracts;

/// <summary>Check a model version against the governance rules.</summary>
public record CheckCompliance
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The version to check.</summary>
    public int Version { get; init; }

    /// <summary>The mode the run's environment asks for (enforced, dry_run or disabled); null: the service's default. A mode configured for the model itself wins.</summary>
    public string? Mode { get; init; }

    /// <summary>Metric floors the run's environment sets, over the service's defaults; the model's own floors win.</summary>
    public IReadOnlyDictionary<string, double> MetricFloors { get; init; } = new Dictionary<string, double>();
}
