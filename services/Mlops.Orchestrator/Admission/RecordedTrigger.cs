namespace Mlops.Orchestrator.Admission;

/// <summary>A trigger that was recorded on an active run (a row of pipeline.triggers), as the follow-up of that run sees it.</summary>
public sealed record RecordedTrigger
{
    /// <summary>The trigger's kind (<see cref="TriggerKind.Name"/>).</summary>
    public string Kind { get; init; } = "";

    public string Principal { get; init; } = "";

    public string Detail { get; init; } = "";

    /// <summary>For a monitoring alert: the version it was measured against.</summary>
    public int? ModelVersion { get; init; }

    /// <summary>For a code release, or a manual request that named one: the code version.</summary>
    public string? CodeVersion { get; init; }
}
