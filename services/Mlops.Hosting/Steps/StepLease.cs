namespace Mlops.Hosting.Steps;

/// <summary>A lease a worker has taken: the step of one pipeline run, its command, and the attempt that makes this take unique.</summary>
public sealed record StepLease
{
    public required Guid RunId { get; init; }
    public required string Step { get; init; }
    public required int Attempt { get; init; }
    public required string Owner { get; init; }
    public required string Command { get; init; }
    public string? TraceParent { get; init; }
}
