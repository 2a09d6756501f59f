using MassTransit;

namespace Mlops.Hosting.Tests.Sagas;

public sealed class PairState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }
    public bool GotLeft { get; set; }
    public bool GotRight { get; set; }
    public int Transitions { get; set; }
}
