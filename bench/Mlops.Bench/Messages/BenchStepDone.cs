namespace Mlops.Bench.Messages;

public sealed record BenchStepDone
{
    public required Guid CorrelationId { get; init; }
    public required int Step { get; init; }
}
