using MassTransit;

namespace Mlops.Hosting.Tests.Sagas;

public sealed class ReminderState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }
    public Guid? DeadlineTokenId { get; set; }
}
