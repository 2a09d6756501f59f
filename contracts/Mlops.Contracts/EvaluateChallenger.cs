namespace Mlops.Contracts;

/// <summary>Compare a new version with the champion on the same holdout rows.</summary>
public record EvaluateChallenger
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The challenger version.</summary>
    public int Version { get; init; }

    /// <summary>The deciding metric the run's environment sets; null: the service's default. A setting for the model itself wins (also below).</summary>
    public string? Metric { get; init; }

    /// <summary>How much better than the champion the challenger must be, per the run's environment.</summary>
    public double? MinimumDelta { get; init; }

    /// <summary>What a first version must reach, per the run's environment.</summary>
    public double? BaselineThreshold { get; init; }
}
