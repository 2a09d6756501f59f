using System.Diagnostics;
using MassTransit;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Audit;

/// <summary>
/// Audit entries for what a service does on a message: the principal the message carries, the message id as the request id and
/// the current trace id. Appended in the session's transaction, which for a consumer is the inbox-guarded one of
/// TransactionalConsumeFilter: the entry commits with the state change and its outbox messages, and a redelivered message,
/// skipped by the inbox, appends nothing again.
/// </summary>
public sealed class MessageAudit(AuditLog log)
{
    public Task<AuditEntry> AppendAsync(DbSession session, ConsumeContext context, string principal, string action, string resource, string detail = "",
        string outcome = AuditOutcomes.Succeeded) =>
        AppendAsync(session, context.MessageId, principal, action, resource, detail, outcome, context.CancellationToken);

    /// <summary>For work committed outside the consume (a step's commit): the id of the message that started it.</summary>
    public Task<AuditEntry> AppendAsync(DbSession session, Guid? messageId, string principal, string action, string resource, string detail = "",
        string outcome = AuditOutcomes.Succeeded, CancellationToken cancellationToken = default) =>
        log.AppendAsync(session.Connection, session.Transaction,
            new AuditRecord(string.IsNullOrEmpty(principal) ? "system" : principal, action, resource, outcome, detail,
                Activity.Current?.TraceId.ToString(), messageId?.ToString()),
            cancellationToken);
}
