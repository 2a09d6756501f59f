namespace Mlops.Orchestrator.Admission;

/// <summary>
/// What became of one trigger: the run it started or was recorded on, or why it was ignored, and, for an alert held back
/// by the cooldown, when it comes back for a re-check and the scheduling token it comes back with.
/// </summary>
public sealed record AdmissionResult(TriggerDisposition Disposition, Guid? RunId, string Detail, DateTime? RecheckAt = null, Guid? RecheckToken = null);
