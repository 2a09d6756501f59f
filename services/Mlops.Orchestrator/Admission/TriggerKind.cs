namespace Mlops.Orchestrator.Admission;

/// <summary>
/// What made a run wanted, and whether a model's cooldown holds it back. Kinds nobody asked for in person (new data, drift,
/// degraded performance, the schedule) respect the cooldown; a manual request or a code release is never held back.
/// </summary>
public sealed record TriggerKind(string Name, CooldownRule Cooldown)
{
    public static readonly TriggerKind Manual = new("manual", CooldownRule.Exempt);

    public static readonly TriggerKind TrainingCodeReleased = new("training_code_released", CooldownRule.Exempt);

    public static readonly TriggerKind RawDataLanded = new("raw_data_landed", CooldownRule.ModelCooldown);

    public static readonly TriggerKind Schedule = new("schedule", CooldownRule.ModelCooldown);

    public static readonly TriggerKind DriftDetected = new("drift_detected", CooldownRule.ModelOrDefaultCooldown);

    public static readonly TriggerKind PerformanceDegraded = new("performance_degraded", CooldownRule.ModelOrDefaultCooldown);

    /// <summary>
    /// The triggers recorded on a run that still apply once it ended, coalesced. Their cooldowns were passed when they
    /// were recorded; holding the follow-up back once more would lose what monitoring does not repeat.
    /// </summary>
    public static readonly TriggerKind FollowUp = new("follow_up", CooldownRule.Exempt);

    public override string ToString() => Name;
}
