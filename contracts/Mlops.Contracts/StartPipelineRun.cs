namespace Mlops.Contracts;

/// <summary>Admission decided a trigger starts a new run: the saga's first message.</summary>
public record StartPipelineRun
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>manual, training_code_released, raw_data_landed, drift_detected, performance_degraded or schedule.</summary>
    public string Trigger { get; init; } = "";

    /// <summary>What the trigger said, for operators.</summary>
    public string TriggerDetail { get; init; } = "";

    /// <summary>The feature table the model trains on.</summary>
    public string FeatureTable { get; init; } = "";

    /// <summary>The raw table the feature table is computed from.</summary>
    public string SourceTable { get; init; } = "";

    /// <summary>The batch to compute features from; the latest when empty.</summary>
    public Guid? RawBatchId { get; init; }

    /// <summary>The training code's git sha.</summary>
    public string CodeVersion { get; init; } = "";

    /// <summary>The trainer to run.</summary>
    public string Trainer { get; init; } = "";

    /// <summary>Trainer parameters.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>Model description to register with the version.</summary>
    public string? Description { get; init; }

    /// <summary>Tags for the new version.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>();

    /// <summary>Whether a person must approve the promotion.</summary>
    public bool RequireApproval { get; init; }

    /// <summary>The compliance mode the run's environment asks for (enforced, dry_run or disabled); null: the compliance service's own.</summary>
    public string? ComplianceMode { get; init; }

    /// <summary>The thresholds the run's environment sets; null: the deciding services' own.</summary>
    public PipelineThresholds? Thresholds { get; init; }
}
