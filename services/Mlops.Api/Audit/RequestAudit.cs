using System.Diagnostics;
using Mlops.Api.Identity;
using Mlops.Hosting.Data;

namespace Mlops.Api.Audit;

/// <summary>Audit entries for the current request: its principal, trace id and request id filled in.</summary>
public sealed class RequestAudit(IHttpContextAccessor accessor, AuditLog log)
{
    public AuditRecord Record(string action, string resource, string outcome = AuditOutcomes.Succeeded, string detail = "")
    {
        var context = accessor.HttpContext;
        var caller = context is null ? Caller.Anonymous : Caller.From(context.User);
        string? requestId = context?.Request.Headers["X-Request-Id"].FirstOrDefault() is { Length: > 0 and <= 200 } given ? given : context?.TraceIdentifier;
        return new AuditRecord(caller.Name, action, resource, outcome, detail, Activity.Current?.TraceId.ToString(), requestId);
    }

    /// <summary>Appends in the session's transaction: the entry commits with the action it records, or not at all.</summary>
    public Task<AuditEntry> AppendAsync(DbSession session, string action, string resource, string detail = "", CancellationToken cancellationToken = default) =>
        log.AppendAsync(session.Connection, session.Transaction, Record(action, resource, AuditOutcomes.Succeeded, detail), cancellationToken);

    public Task<AuditEntry> AppendAsync(DbSession session, AuditRecord record, CancellationToken cancellationToken = default) =>
        log.AppendAsync(session.Connection, session.Transaction, record, cancellationToken);
}
