using MassTransit;

namespace Mlops.Bench.Sagas;

/// <summary>One run of P3's saga, kept by the project's Postgres saga repository in bench.runs.</summary>
public sealed class BenchRunState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }
}
