namespace Mlops.Contracts;

/// <summary>A pipeline run reached a final state.</summary>
public record PipelineRunFinished
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>Completed, Rejected, Failed, TimedOut or Cancelled.</summary>
    public string Outcome { get; init; } = "";

    /// <summary>Why it ended so.</summary>
    public string? Reason { get; init; }

    /// <summary>The version the run produced, if any.</summary>
    public int? ModelVersion { get; init; }

    /// <summary>The champion after the run.</summary>
    public int? ChampionVersion { get; init; }

    /// <summary>The run's trace.</summary>
    public string? TraceId { get; init; }
}
