namespace Mlops.Contracts;

/// <summary>A batch scoring job wrote every prediction it was asked for into scoring.predictions.</summary>
public record BatchScoringCompleted
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

    /// <summary>The version that scored.</summary>
    public int ModelVersion { get; init; }

    public string FeatureTable { get; init; } = "";

    public int FeatureVersion { get; init; }

    /// <summary>Predictions written: one per entity scored.</summary>
    public long RowsScored { get; init; }

    public int Chunks { get; init; }

    /// <summary>Keys asked for that the feature version does not hold (listed in the job's errors), not scored.</summary>
    public int UnknownKeys { get; init; }
}
