namespace Mlops.Bench.Messages;

/// <summary>The message P1 sends through MassTransit and, serialised the same way, through the raw client.</summary>
public sealed record BenchPing
{
    public required int Sequence { get; init; }
    public required string Payload { get; init; }
}
