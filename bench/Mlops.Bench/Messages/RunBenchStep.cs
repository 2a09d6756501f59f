namespace Mlops.Bench.Messages;

/// <summary>The saga asks for a step; the step worker answers <see cref="BenchStepDone"/> at once.</summary>
public sealed record RunBenchStep
{
    public required Guid CorrelationId { get; init; }
    public required int Step { get; init; }
}
