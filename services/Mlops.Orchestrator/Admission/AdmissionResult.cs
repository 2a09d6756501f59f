namespace Mlops.Orchestrator.Admission;

/// <summary>What became of one trigger: the run it started or was recorded on, or why it was ignored.</summary>
public sealed record AdmissionResult(TriggerDisposition Disposition, Guid? RunId, string Detail);
