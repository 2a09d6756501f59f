using Dapper;
using Microsoft.Extensions.Options;
using Mlops.Api.Audit;
using Mlops.Api.Identity;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Api.Authorization;

/// <summary>
/// Checks the caller's roles against the access matrix. A refusal is audited in a transaction of its own (the request's
/// rolls back) and counted: the refusal that reaches the threshold within the window raises one SecurityAlert through the outbox.
/// </summary>
public sealed partial class AccessGuard(IHttpContextAccessor accessor, RequestAudit audit, IServiceScopeFactory scopes, IOptions<ApiOptions> options,
    TimeProvider time, ILogger<AccessGuard> logger)
{
    public Caller Caller => accessor.HttpContext is { } context ? Caller.From(context.User) : Caller.Anonymous;

    public bool Allows(string permission, string catalog) => AccessMatrix.Allows(Caller.Roles, permission, catalog);

    /// <summary>Where the request remembers the last action it was authorised for, so a later failure of it can be audited.</summary>
    public const string AuthorizedActionKey = "mlops:authorized-action";

    public async Task DemandAsync(string action, string permission, string catalog, string resource, CancellationToken cancellationToken)
    {
        if (Allows(permission, catalog))
        {
            if (accessor.HttpContext is { } context)
                context.Items[AuthorizedActionKey] = (action, resource);
            return;
        }
        var denied = new AccessDeniedException(permission, catalog, resource);
        await RefuseAsync(action, denied, cancellationToken);
        throw denied;
    }

    /// <summary>Audits a refusal decided elsewhere (separation of duties) and counts it towards an alert.</summary>
    public async Task RefuseAsync(string action, AccessDeniedException denied, CancellationToken cancellationToken)
    {
        var record = audit.Record(action, denied.Resource, AuditOutcomes.Denied, denied.Message);
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(CancellationToken.None);
        await audit.AppendAsync(session, record, CancellationToken.None);

        var settings = options.Value;
        var since = time.GetUtcNow() - settings.RefusalWindow;
        var refusals = await session.Connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*) FROM audit.entries WHERE principal = @principal AND outcome = 'denied' AND at >= @since
            """, new { principal = record.Principal, since = since.UtcDateTime }, session.Transaction, cancellationToken: CancellationToken.None));
        // The audit append holds the chain's lock until commit, so two refusals cannot both see "no alert yet".
        var alerted = await session.Connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM identity.security_alerts WHERE principal = @principal AND raised_at >= @since)
            """, new { principal = record.Principal, since = since.UtcDateTime }, session.Transaction, cancellationToken: CancellationToken.None));
        if (refusals >= settings.RefusalsBeforeAlert && !alerted)
        {
            var alert = new SecurityAlert
            {
                AlertId = Guid.NewGuid(), Principal = record.Principal, Refusals = refusals, WindowSeconds = (int)settings.RefusalWindow.TotalSeconds,
                Permission = denied.Permission, Resource = denied.Resource, TraceId = record.TraceId, RaisedAt = time.GetUtcNow(),
            };
            await session.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO identity.security_alerts (alert_id, principal, refusals, raised_at) VALUES (@AlertId, @Principal, @Refusals, @RaisedAt)
                """, new { alert.AlertId, alert.Principal, alert.Refusals, RaisedAt = alert.RaisedAt.UtcDateTime }, session.Transaction, cancellationToken: CancellationToken.None));
            await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session).Publish(alert, CancellationToken.None);
            await audit.AppendAsync(session, audit.Record("security.alert", "principal:" + record.Principal, AuditOutcomes.Succeeded,
                $"{refusals} refusals within {settings.RefusalWindow}"), CancellationToken.None);
            LogAlert(logger, record.Principal, refusals);
        }
        await session.CommitAsync(CancellationToken.None);
        LogRefused(logger, record.Principal, denied.Permission, denied.Catalog, denied.Resource);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Principal}: missing {Permission} in {Catalog} for {Resource}")]
    private static partial void LogRefused(ILogger logger, string principal, string permission, string catalog, string resource);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Security alert: {Principal} was refused {Refusals} times")]
    private static partial void LogAlert(ILogger logger, string principal, int refusals);
}
