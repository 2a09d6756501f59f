namespace Mlops.Bench.Messages;

/// <summary>Starts one run of P3's three-step saga.</summary>
public sealed record StartBenchRun
{
    public required Guid CorrelationId { get; init; }
}
