using MassTransit;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Sagas;

/// <summary>Two halves that arrive in any order, at the same moment: a lost update would leave one flag unset.</summary>
public sealed class PairStateMachine : MassTransitStateMachine<PairState>
{
    public PairStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Initially(
            When(Started).TransitionTo(Waiting));

        During(Waiting,
            When(Left)
                .Then(x => { x.Saga.GotLeft = true; x.Saga.Transitions++; })
                .If(x => x.Saga.GotRight, complete => complete.TransitionTo(Paired)),
            When(Right)
                .Then(x => { x.Saga.GotRight = true; x.Saga.Transitions++; })
                .If(x => x.Saga.GotLeft, complete => complete.TransitionTo(Paired)));
    }

    public State Waiting { get; private set; } = null!;
    public State Paired { get; private set; } = null!;

    public Event<PairStarted> Started { get; private set; } = null!;
    public Event<LeftArrived> Left { get; private set; } = null!;
    public Event<RightArrived> Right { get; private set; } = null!;
}
