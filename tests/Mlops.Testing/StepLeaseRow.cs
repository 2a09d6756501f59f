namespace Mlops.Testing;

/// <summary>A row of steps.step_leases as the tests look at it.</summary>
public sealed record StepLeaseRow
{
    public string Status { get; init; } = "";
    public string? Owner { get; init; }
    public int Attempt { get; init; }
}
