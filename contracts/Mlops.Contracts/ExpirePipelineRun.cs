namespace Mlops.Contracts;

/// <summary>
/// The orchestrator's sweeper found a run whose step deadline passed by more than the grace period (its deadline message
/// was lost): the run ends TimedOut, unless it moved on since.
/// </summary>
public record ExpirePipelineRun
{
    /// <summary>The pipeline run this message belongs to.</summary>
    public Guid CorrelationId { get; init; }

    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>Who asked: a user, a service account or the service that reacted.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The step (the state the run was in) whose deadline passed.</summary>
    public string Step { get; init; } = "";

    /// <summary>The deadline the sweeper saw: a run that set a new one since is not expired.</summary>
    public DateTimeOffset StepDeadlineAt { get; init; }

    /// <summary>How long past its deadline a run is left before it is swept (Pipeline:DeadlineGracePeriod).</summary>
    public TimeSpan GracePeriod { get; init; }
}
