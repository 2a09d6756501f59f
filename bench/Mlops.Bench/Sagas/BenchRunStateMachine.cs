using MassTransit;
using Mlops.Bench.Messages;

namespace Mlops.Bench.Sagas;

/// <summary>Three steps, each a command out and an answer in, then a completion event: the shape of a pipeline run, minus the work.</summary>
public sealed class BenchRunStateMachine : MassTransitStateMachine<BenchRunState>
{
    public BenchRunStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Started, e => e.CorrelateById(m => m.Message.CorrelationId));
        Event(() => StepDone, e => e.CorrelateById(m => m.Message.CorrelationId));

        Initially(When(Started).Publish(c => new RunBenchStep { CorrelationId = c.Saga.CorrelationId, Step = 1 }).TransitionTo(FirstStep));
        During(FirstStep, When(StepDone).Publish(c => new RunBenchStep { CorrelationId = c.Saga.CorrelationId, Step = 2 }).TransitionTo(SecondStep));
        During(SecondStep, When(StepDone).Publish(c => new RunBenchStep { CorrelationId = c.Saga.CorrelationId, Step = 3 }).TransitionTo(ThirdStep));
        During(ThirdStep, When(StepDone).Publish(c => new BenchRunCompleted { CorrelationId = c.Saga.CorrelationId }).TransitionTo(Completed));
    }

    public State FirstStep { get; private set; } = null!;
    public State SecondStep { get; private set; } = null!;
    public State ThirdStep { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public Event<StartBenchRun> Started { get; private set; } = null!;
    public Event<BenchStepDone> StepDone { get; private set; } = null!;
}
