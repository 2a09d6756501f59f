using Microsoft.Extensions.Options;
using Mlops.Api.Audit;
using Mlops.Api.Identity;

namespace Mlops.Api.Authorization;

/// <summary>
/// Checks the caller's roles against the access matrix. A refusal is audited in a transaction of its own (the request's
/// rolls back) and counted: the refusal that reaches the threshold within the window raises one SecurityAlert through the outbox.
/// </summary>
public sealed class AccessGuard(IHttpContextAccessor accessor, RequestAudit audit, RefusalRecorder refusals, IOptions<ApiOptions> options)
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
    public Task RefuseAsync(string action, AccessDeniedException denied, CancellationToken cancellationToken) =>
        refusals.RecordAsync(audit.Record(action, denied.Resource, AuditOutcomes.Denied, denied.Message), denied.Permission,
            options.Value.RefusalsBeforeAlert, options.Value.RefusalWindow, CancellationToken.None);
}
