namespace Mlops.Contracts;

/// <summary>A step's deadline passed (sent by the saga to itself through the durable scheduler).</summary>
public record PipelineStepTimedOut
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The step (the state the run was in).</summary>
    public string Step { get; init; } = "";

    /// <summary>The attempt the deadline was set for.</summary>
    public int Attempt { get; init; }
}
