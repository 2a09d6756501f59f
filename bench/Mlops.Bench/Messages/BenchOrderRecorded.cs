namespace Mlops.Bench.Messages;

/// <summary>What P2's consumers publish once the row is written; its arrival ends the measurement.</summary>
public sealed record BenchOrderRecorded
{
    public required int Sequence { get; init; }
}
