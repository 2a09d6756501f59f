namespace Mlops.Bench.Messages;

/// <summary>The command P2's consumers handle: one row written, one event published.</summary>
public sealed record BenchOrder
{
    public required int Sequence { get; init; }
}
