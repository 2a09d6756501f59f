namespace Mlops.Contracts;

/// <summary>A model's retraining schedule reached an occurrence: the orchestrator's scheduler publishes it once per occurrence.</summary>
public record PipelineScheduleDue
{
    /// <summary>The model's full name, catalog.schema.model.</summary>
    public string ModelName { get; init; } = "";

    /// <summary>dev, staging or prod: the catalog the model lives in.</summary>
    public string Environment { get; init; } = "";

    /// <summary>The scheduler.</summary>
    public string Principal { get; init; } = "";

    /// <summary>The cron expression (minute hour day-of-month month day-of-week, UTC).</summary>
    public string Schedule { get; init; } = "";

    /// <summary>The occurrence that came due.</summary>
    public DateTimeOffset Occurrence { get; init; }

    /// <summary>
    /// Set when earlier occurrences were missed (no orchestrator ran at the time): the first of them. They fold into this
    /// one, so a downtime costs at most one late run, never a burst of them.
    /// </summary>
    public DateTimeOffset? MissedSince { get; init; }
}
