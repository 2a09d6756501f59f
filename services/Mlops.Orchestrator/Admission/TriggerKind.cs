namespace Mlops.Orchestrator.Admission;

/// <summary>
/// What made a run wanted. Kinds nobody asked for in person (new data, and later drift, degraded performance and the
/// schedule) respect a model's cooldown; a manual request or a code release is never held back.
/// </summary>
public sealed record TriggerKind(string Name, bool RespectsCooldown)
{
    public static readonly TriggerKind Manual = new("manual", RespectsCooldown: false);

    public static readonly TriggerKind TrainingCodeReleased = new("training_code_released", RespectsCooldown: false);

    public static readonly TriggerKind RawDataLanded = new("raw_data_landed", RespectsCooldown: true);

    public override string ToString() => Name;
}
