using System.Globalization;
using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// Waiting for approval: ApprovalRequested goes out with the run's deadline set; when the reminder falls the run publishes
/// ApprovalDeadlineApproaching and waits on for the rest; when the deadline falls the run ends Rejected, saying so. The
/// reminder is attempt 1 of the step deadline, the expiry attempt 2, so a stale deadline message is still told apart by its token.
/// </summary>
public static partial class ApprovalActivities
{
    public static EventActivityBinder<DeployCodePipelineState, TEvent> AwaitApproval<TEvent>(
        this EventActivityBinder<DeployCodePipelineState, TEvent> binder, ApprovalDeadline approval, State awaiting)
        where TEvent : class =>
        binder
            .Then(x => x.Saga.EnterStep(awaiting.Name, nameof(ApprovalRequested), approval.Timeout, approval.Clock.GetUtcNow()))
            .Publish(x => PipelineCommands.ApprovalRequested(x.Saga))
            .Schedule(approval.Deadline, x => PipelineCommands.StepTimedOut(x.Saga, awaiting.Name), _ => approval.FirstDue)
            .TransitionTo(awaiting);

    public static EventActivityBinder<DeployCodePipelineState, PipelineStepTimedOut> RemindOrExpire(
        this EventActivityBinder<DeployCodePipelineState, PipelineStepTimedOut> binder, ApprovalDeadline approval, State rejected) =>
        binder.IfElse(x => approval.RemindsFirst && x.Saga.StepAttempt == 1,
            remind => remind
                .Then(x => x.Saga.StepAttempt = 2)
                .Then(x => x.Saga.Note(approval.Clock.GetUtcNow(), $"Reminded the approvers: the approval deadline is {x.Saga.StepDeadlineAt:u}"))
                .Then(x => LogReminder(approval.Logger, x.Saga.CorrelationId, x.Saga.ModelName, x.Saga.StepDeadlineAt))
                .Publish(x => PipelineCommands.ApprovalDeadlineApproaching(x.Saga))
                .Schedule(approval.Deadline, x => PipelineCommands.StepTimedOut(x.Saga, x.Saga.CurrentState ?? ""),
                    x => Remaining(x.Saga, approval.Clock)),
            expire => expire
                .Then(x => x.Saga.EndWith(FailureReasons.ApprovalExpired(x.Saga.ModelVersion, approval.Timeout, x.Saga.StepDeadlineAt), approval.Clock.GetUtcNow()))
                .TransitionTo(rejected));

    private static TimeSpan Remaining(DeployCodePipelineState run, TimeProvider clock) =>
        run.StepDeadlineAt is { } deadline && deadline > clock.GetUtcNow() ? deadline - clock.GetUtcNow() : TimeSpan.Zero;

    [LoggerMessage(Level = LogLevel.Information, Message = "Run {RunId} of {ModelName} still waits for approval: reminder sent, deadline {DeadlineAt:u}")]
    private static partial void LogReminder(ILogger logger, Guid runId, string modelName, DateTimeOffset? deadlineAt);
}
