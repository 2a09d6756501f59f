namespace Mlops.Catalog.Scoring;

/// <summary>A batch scoring job as scoring.jobs holds it: what it scores and how far it got.</summary>
public sealed record BatchScoringJob
{
    public Guid JobId { get; init; }
    public Guid CorrelationId { get; init; }
    public string ModelName { get; init; } = "";
    public string Environment { get; init; } = "";
    public int? ModelVersion { get; init; }
    public string? FeatureTable { get; init; }
    public int? FeatureVersion { get; init; }

    /// <summary>How many keys the job lists; null when it scores every entity of the version.</summary>
    public int? EntityKeyCount { get; init; }

    /// <summary>on_demand, schedule or pipeline.</summary>
    public string Trigger { get; init; } = "";
    public string RequestedBy { get; init; } = "";

    /// <summary>queued, running, completed or failed.</summary>
    public string State { get; init; } = "";
    public int? ChunkSize { get; init; }
    public int? ChunkCount { get; init; }
    public int ChunksDone { get; init; }
    public long RowsScored { get; init; }

    /// <summary>What the job could not do without failing, e.g. keys the feature version does not hold.</summary>
    public IReadOnlyList<string> Errors { get; init; } = [];

    /// <summary>Why the job failed.</summary>
    public string? Failure { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? StartedAt { get; init; }
    public DateTime? FinishedAt { get; init; }
}
