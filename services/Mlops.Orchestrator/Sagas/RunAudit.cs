using MassTransit;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// The run's audit entries (run.started, run.finished), appended in the message's session: the one that saves the saga's new
/// state behind the inbox, so a redelivered event appends nothing again.
/// </summary>
public static class RunAudit
{
    public static Task AppendAsync(BehaviorContext<DeployCodePipelineState> context, string action, string detail, string outcome = AuditOutcomes.Succeeded) =>
        context.GetServiceOrCreateInstance<MessageAudit>().AppendAsync(context.GetServiceOrCreateInstance<DbSession>(), context, context.Saga.Principal,
            action, "run:" + context.Saga.CorrelationId, detail, outcome);

    /// <summary>Failed and TimedOut runs failed; Completed, Rejected (by evaluation, compliance or an approver) and Cancelled ended as decided.</summary>
    public static string OutcomeOf(string? state) => state is "Failed" or "TimedOut" ? AuditOutcomes.Failed : AuditOutcomes.Succeeded;
}
