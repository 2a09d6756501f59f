using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Hosting.Identity;

/// <summary>
/// Records a refusal (401 or 403) in a transaction of its own (the refused work rolls back or never began) and counts it: the
/// refusal that brings one principal to <c>threshold</c> refusals within <c>window</c> raises one SecurityAlert through the
/// outbox. Counted over the audit log, so refusals by the API and by Serving add up. Needs the outbox (AddMlopsMessaging).
/// </summary>
public sealed partial class RefusalRecorder(IServiceScopeFactory scopes, AuditLog audit, TimeProvider time, ILogger<RefusalRecorder> logger)
{
    public async Task RecordAsync(AuditRecord refusal, string permission, int threshold, TimeSpan window, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);
        await audit.AppendAsync(session.Connection, session.Transaction, refusal, cancellationToken);

        var since = (time.GetUtcNow() - window).UtcDateTime;
        var refusals = await session.Connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*) FROM audit.entries WHERE principal = @principal AND outcome = 'denied' AND at >= @since
            """, new { principal = refusal.Principal, since }, session.Transaction, cancellationToken: cancellationToken));
        // The audit append holds the chain's lock until commit, so two refusals cannot both see "no alert yet".
        var alerted = await session.Connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM identity.security_alerts WHERE principal = @principal AND raised_at >= @since)
            """, new { principal = refusal.Principal, since }, session.Transaction, cancellationToken: cancellationToken));
        if (refusals >= threshold && !alerted)
        {
            var alert = new SecurityAlert
            {
                AlertId = Guid.NewGuid(), Principal = refusal.Principal, Refusals = refusals, WindowSeconds = (int)window.TotalSeconds,
                Permission = permission, Resource = refusal.Resource, TraceId = refusal.TraceId, RaisedAt = time.GetUtcNow(),
            };
            await session.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO identity.security_alerts (alert_id, principal, refusals, raised_at) VALUES (@AlertId, @Principal, @Refusals, @RaisedAt)
                """, new { alert.AlertId, alert.Principal, alert.Refusals, RaisedAt = alert.RaisedAt.UtcDateTime }, session.Transaction,
                cancellationToken: cancellationToken));
            await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session).Publish(alert, cancellationToken);
            await audit.AppendAsync(session.Connection, session.Transaction, refusal with
            {
                Action = "security.alert", Resource = "principal:" + refusal.Principal, Outcome = AuditOutcomes.Succeeded,
                Detail = $"{refusals} refusals within {window}",
            }, cancellationToken);
            LogAlert(logger, refusal.Principal, refusals);
        }
        await session.CommitAsync(cancellationToken);
        LogRefused(logger, refusal.Principal, permission, refusal.Resource, refusal.Detail);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Principal}: {Permission} for {Resource}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string principal, string permission, string resource, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security alert: {Principal} was refused {Refusals} times")]
    private static partial void LogAlert(ILogger logger, string principal, int refusals);
}
