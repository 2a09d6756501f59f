namespace Mlops.Orchestrator.Admission;

/// <summary>What admission did with a trigger; stored lower-case in pipeline.triggers.</summary>
public enum TriggerDisposition
{
    /// <summary>It started a new run.</summary>
    Started,

    /// <summary>A run was active for the model: the trigger was recorded on that run.</summary>
    Recorded,

    /// <summary>It cannot start a run (no configuration, no code, cooldown); the detail says why.</summary>
    Ignored,
}
