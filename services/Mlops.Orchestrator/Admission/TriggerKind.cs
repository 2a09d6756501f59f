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

    public override string ToString() => Name;
}
