namespace Mlops.Bench.Messages;

public sealed record BenchRunCompleted
{
    public required Guid CorrelationId { get; init; }
}
