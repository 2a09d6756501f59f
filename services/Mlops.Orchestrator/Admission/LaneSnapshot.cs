namespace Mlops.Orchestrator.Admission;

/// <summary>A lane (one model in one environment) as admission found it under its row lock.</summary>
public sealed record LaneSnapshot
{
    /// <summary>The newest run admission started in this lane, finished or not.</summary>
    public Guid? ActiveRunId { get; init; }

    /// <summary>The saga state of that run; none while its StartPipelineRun is still on the way.</summary>
    public string? ActiveRunState { get; init; }

    /// <summary>When the newest run was admitted.</summary>
    public DateTime? LastStartedAt { get; init; }

    /// <summary>When the pending re-check of an alert held back by the cooldown is due; none when no re-check is pending.</summary>
    public DateTime? RecheckAt { get; init; }

    /// <summary>The scheduling token of the pending re-check, which it comes back with.</summary>
    public Guid? RecheckToken { get; init; }

    /// <summary>The database's clock, so every time compared here comes from one clock.</summary>
    public DateTime Now { get; init; }
}
