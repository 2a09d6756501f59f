namespace Mlops.Hosting.Steps;

/// <summary>The lease expired and was taken by another attempt (or finished): this attempt's results must not be committed.</summary>
public sealed class StepLeaseLostException(StepLease lease)
    : Exception($"The lease on step '{lease.Step}' of run {lease.RunId} (attempt {lease.Attempt}, {lease.Owner}) is no longer held.");
