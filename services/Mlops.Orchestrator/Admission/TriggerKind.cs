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
    /// The triggers recorded on a run that still apply once it ended, coalesced. It is held back as little as the least
    /// held back of them (<see cref="ForFollowUpOf"/>): a manual request or a code release among them starts it at once.
    /// </summary>
    public static readonly TriggerKind FollowUp = new("follow_up", CooldownRule.Exempt);

    private static readonly TriggerKind[] Known = [Manual, TrainingCodeReleased, RawDataLanded, Schedule, DriftDetected, PerformanceDegraded];

    /// <summary>The follow-up of triggers of these kinds, held back by the cooldown rule of the least held back of them.</summary>
    public static TriggerKind ForFollowUpOf(IEnumerable<string> kinds) =>
        FollowUp with { Cooldown = kinds.Select(name => Known.FirstOrDefault(k => k.Name == name)?.Cooldown ?? CooldownRule.Exempt).Min() };

    public override string ToString() => Name;
}
