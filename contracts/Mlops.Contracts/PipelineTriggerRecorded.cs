namespace Mlops.Contracts;

/// <summary>A trigger arrived while a run was active for the model and was recorded on that run instead of starting another.</summary>
public record PipelineTriggerRecorded
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The trigger's kind.</summary>
    public string Trigger { get; init; } = "";

    /// <summary>What the trigger said.</summary>
    public string TriggerDetail { get; init; } = "";
}
