namespace Mlops.Orchestrator.Scheduling;

/// <summary>A model's row of pipeline.schedules as the scheduler found it under its lock.</summary>
public sealed record ScheduleState
{
    /// <summary>The cron expression the occurrence below belongs to.</summary>
    public string Expression { get; init; } = "";

    /// <summary>The occurrence the schedule last fired for (or started from), UTC.</summary>
    public DateTime LastOccurrence { get; init; }
}
