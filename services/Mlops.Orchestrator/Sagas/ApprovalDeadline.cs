using MassTransit;
using Mlops.Contracts;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// How long a run waits for a person's approval (Pipeline:StepTimeouts:AwaitingApproval) and how long before that deadline
/// the approvers are reminded (Pipeline:ApprovalReminderBefore; none when zero or not shorter than the wait). Both ride on
/// the run's one durable step deadline: first due at the reminder, then at the deadline itself.
/// </summary>
public sealed record ApprovalDeadline(
    TimeSpan Timeout,
    TimeSpan ReminderBefore,
    Schedule<DeployCodePipelineState, PipelineStepTimedOut> Deadline,
    TimeProvider Clock,
    ILogger Logger)
{
    public bool RemindsFirst => ReminderBefore > TimeSpan.Zero && ReminderBefore < Timeout;

    /// <summary>When the step deadline first falls: at the reminder, or at the deadline when there is none.</summary>
    public TimeSpan FirstDue => RemindsFirst ? Timeout - ReminderBefore : Timeout;
}
