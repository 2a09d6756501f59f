namespace Mlops.Contracts;

/// <summary>A new model version was registered.</summary>
public record ModelRegistered
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The new version.</summary>
    public int Version { get; init; }

    /// <summary>The tracking run that produced it.</summary>
    public Guid TrainingRunId { get; init; }

    /// <summary>Validation metrics.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The model artifact's content address.</summary>
    public string ArtifactSha256 { get; init; } = "";

    /// <summary>The trace the version was trained in.</summary>
    public string? TraceId { get; init; }
}
