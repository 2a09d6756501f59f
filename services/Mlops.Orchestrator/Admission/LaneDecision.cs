namespace Mlops.Orchestrator.Admission;

/// <summary>What a trigger does to a lane: start a run, be recorded on the active one, or be ignored with a reason.</summary>
public sealed record LaneDecision(TriggerDisposition Disposition, Guid? ActiveRunId = null, string? Reason = null, DateTime? CooldownEndsAt = null)
{
    public static readonly LaneDecision Start = new(TriggerDisposition.Started);

    public static LaneDecision RecordOn(Guid runId) => new(TriggerDisposition.Recorded, runId);

    public static LaneDecision Ignore(string reason) => new(TriggerDisposition.Ignored, Reason: reason);

    /// <summary>Ignored only because the model cools down until <paramref name="endsAt"/>: a monitoring alert comes back then.</summary>
    public static LaneDecision CoolDown(DateTime endsAt, string reason) => new(TriggerDisposition.Ignored, Reason: reason, CooldownEndsAt: endsAt);
}
