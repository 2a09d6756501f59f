using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// The three things every step does: start (publish its command, set its deadline, wait in its state), answer its
/// deadline (publish the command once more, or give up), and end the run.
/// </summary>
public static partial class PipelineStepActivities
{
    /// <summary>A step's second attempt is its last: the command is re-sent once, then the run times out.</summary>
    public const int MaxAttempts = 2;

    public static EventActivityBinder<DeployCodePipelineState, TEvent> StartStep<TEvent, TCommand>(
        this EventActivityBinder<DeployCodePipelineState, TEvent> binder, PipelineStep<TCommand> step)
        where TEvent : class
        where TCommand : class =>
        binder
            .Then(x => x.RecordStepCompleted(step.Clock.GetUtcNow()))
            .Then(x => x.Saga.EnterStep(step.Name, step.CommandName, step.Timeout, step.Clock.GetUtcNow()))
            .Publish(x => step.Command(x.Saga))
            .Schedule(step.Deadline, x => PipelineCommands.StepTimedOut(x.Saga, step.Name), _ => step.Timeout)
            .TransitionTo(step.State);

    /// <summary>The deadline of the step's current attempt passed without a reply.</summary>
    public static EventActivityBinder<DeployCodePipelineState, PipelineStepTimedOut> RetryOrTimeOut<TCommand>(
        this EventActivityBinder<DeployCodePipelineState, PipelineStepTimedOut> binder, PipelineStep<TCommand> step, State timedOut)
        where TCommand : class =>
        binder.IfElse(x => x.Saga.StepAttempt < MaxAttempts,
            retry => retry
                .Then(x => LogStepRetried(step.Logger, x.Saga.CorrelationId, step.Name, step.Timeout, step.CommandName))
                .Then(x => x.Saga.RetryStep(step.CommandName, step.Timeout, step.Clock.GetUtcNow()))
                .Publish(x => step.Command(x.Saga))
                .Schedule(step.Deadline, x => PipelineCommands.StepTimedOut(x.Saga, step.Name), _ => step.Timeout),
            giveUp => giveUp
                .Then(x => x.Saga.EndWith(FailureReasons.TimedOut(step.Name, step.CommandName, step.Timeout, x.Saga.StepAttempt), step.Clock.GetUtcNow()))
                .TransitionTo(timedOut));

    /// <summary>Entering a final state: no deadline left behind, and everyone told how the run ended.</summary>
    public static EventActivityBinder<DeployCodePipelineState> FinishRun(this EventActivityBinder<DeployCodePipelineState> binder,
        Schedule<DeployCodePipelineState, PipelineStepTimedOut> deadline, TimeProvider clock) =>
        binder
            .Unschedule(deadline)
            .Then(x => x.RecordFinished(clock.GetUtcNow()))
            .Then(x => x.Saga.Finish(clock.GetUtcNow()))
            .ThenAsync(x => RunAudit.AppendAsync(x, "run.finished",
                $"{x.Saga.CurrentState}: {x.Saga.FailureReason ?? $"version {x.Saga.ModelVersion} is champion"}", RunAudit.OutcomeOf(x.Saga.CurrentState)))
            .Publish(x => PipelineCommands.RunFinished(x.Saga));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} got no reply in {Step} within {Timeout}: publishing {Command} once more")]
    private static partial void LogStepRetried(ILogger logger, Guid runId, string step, TimeSpan timeout, string command);
}
