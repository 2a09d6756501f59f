using MassTransit;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Sagas;

/// <summary>A deadline the saga sets with MassTransit's own Schedule, kept durably in the outbox.</summary>
public sealed class ReminderStateMachine : MassTransitStateMachine<ReminderState>
{
    public ReminderStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Schedule(() => Deadline, x => x.DeadlineTokenId, s => s.Received = r => r.CorrelateById(m => m.Message.CorrelationId));

        Initially(
            When(Requested)
                .Schedule(Deadline, x => new ReminderExpired { CorrelationId = x.Saga.CorrelationId },
                    x => TimeSpan.FromSeconds(x.Message.DelaySeconds))
                .TransitionTo(Waiting));

        During(Waiting,
            When(Acknowledged).Unschedule(Deadline).TransitionTo(Done),
            When(Deadline!.Received).TransitionTo(Expired));
    }

    public State Waiting { get; private set; } = null!;
    public State Done { get; private set; } = null!;
    public State Expired { get; private set; } = null!;

    public Event<ReminderRequested> Requested { get; private set; } = null!;
    public Event<ReminderAcknowledged> Acknowledged { get; private set; } = null!;
    public Schedule<ReminderState, ReminderExpired> Deadline { get; private set; } = null!;
}
