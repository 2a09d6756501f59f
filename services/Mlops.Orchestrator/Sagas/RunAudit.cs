using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;

namespace Mlops.Orchestrator.Sagas;

/// <summary>
/// The run's audit entries (run.started, run.finished), appended in the message's session: the one that saves the saga's new
/// state behind the inbox, so a redelivered event appends nothing again. A host without the database session (the saga on
/// MassTransit's in-memory test harness) has nothing to append to and appends nothing; every service host has one.
/// </summary>
public static class RunAudit
{
    public static Task AppendAsync(BehaviorContext<DeployCodePipelineState> context, string action, string detail, string outcome = AuditOutcomes.Succeeded)
    {
        if (!context.TryGetPayload<IServiceProvider>(out var provider)
            || provider.GetService<MessageAudit>() is not { } audit
            || provider.GetService<DbSession>() is not { IsActive: true } session)
            return Task.CompletedTask;
        return audit.AppendAsync(session, context, context.Saga.Principal, action, "run:" + context.Saga.CorrelationId, detail, outcome);
    }

    /// <summary>Failed and TimedOut runs failed; Completed, Rejected (by evaluation, compliance or an approver) and Cancelled ended as decided.</summary>
    public static string OutcomeOf(string? state) => state is "Failed" or "TimedOut" ? AuditOutcomes.Failed : AuditOutcomes.Succeeded;
}
