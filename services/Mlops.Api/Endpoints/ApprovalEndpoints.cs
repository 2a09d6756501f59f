using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Promotions waiting for a person. Separation of duties: whoever requested the run, triggered it or released the code it
/// trains cannot approve (or deny) its promotion, whatever their roles.
/// </summary>
public static class ApprovalEndpoints
{
    public const string SeparationOfDuties = "separation_of_duties";

    public static RouteGroupBuilder MapApprovalEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/approvals").WithTags("Approvals");
        group.MapGet("/", PendingAsync).Answers<IReadOnlyList<RunSummary>>(StatusCodes.Status200OK).WithSummary("Runs waiting for approval in an environment");
        group.MapPost("/{runId:guid}/approve", ApproveAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 404, 409, 422)
            .WithSummary("Approve a pending promotion (publishes PromotionApproved)");
        group.MapPost("/{runId:guid}/deny", DenyAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 404, 409, 422)
            .WithSummary("Deny a pending promotion (publishes PromotionDenied)");
        return api;
    }

    private static async Task<IResult> PendingAsync(string? environment, int? limit, AccessGuard guard, RunQueries runs, CancellationToken cancellationToken)
    {
        var catalog = Input.Environment(environment, "environment");
        var max = Input.Limit(limit);
        await guard.DemandAsync("approvals.list", Permissions.CatalogRead, catalog, $"runs:{catalog}", cancellationToken);
        var pending = await runs.ListAsync(catalog, null, RunQueries.AwaitingApproval, max, cancellationToken);
        return Results.Ok(pending.Select(r => r.ToSummary()).ToList());
    }

    private static async Task<IResult> ApproveAsync(Guid runId, ApproveRequest? request, AccessGuard guard, RunQueries runs, RequestAudit audit,
        DbSession session, OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var comment = Input.OptionalText(request?.Comment, "comment", 2000);
        var run = await DecidableAsync(runId, "promotion.approve", guard, runs, cancellationToken);
        var message = new PromotionApproved
        {
            CorrelationId = run.CorrelationId, ModelName = run.ModelName, Environment = run.Environment, Principal = guard.Caller.Name, Comment = comment,
        };
        return await IngestionEndpoints.PublishAsync(session, publisher, audit, message, "promotion.approve", AuditQueries.ModelResource(run.ModelName),
            $"run {runId}, version {run.ModelVersion}{(comment is null ? "" : ": " + comment)}", run.CorrelationId, cancellationToken);
    }

    private static async Task<IResult> DenyAsync(Guid runId, DenyRequest request, AccessGuard guard, RunQueries runs, RequestAudit audit,
        DbSession session, OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var reason = Input.Text(request.Reason, "reason", 2000);
        var run = await DecidableAsync(runId, "promotion.deny", guard, runs, cancellationToken);
        var message = new PromotionDenied
        {
            CorrelationId = run.CorrelationId, ModelName = run.ModelName, Environment = run.Environment, Principal = guard.Caller.Name, Reason = reason,
        };
        return await IngestionEndpoints.PublishAsync(session, publisher, audit, message, "promotion.deny", AuditQueries.ModelResource(run.ModelName),
            $"run {runId}, version {run.ModelVersion}: {reason}", run.CorrelationId, cancellationToken);
    }

    private static async Task<RunDetails> DecidableAsync(Guid runId, string action, AccessGuard guard, RunQueries runs, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(runId, cancellationToken) ?? throw ApiProblemException.NotFound("runId", $"There is no run {runId}.");
        var resource = AuditQueries.ModelResource(run.ModelName);
        await guard.DemandAsync(action, Permissions.ModelsPromote, run.Environment, resource, cancellationToken);

        var involved = new HashSet<string>(StringComparer.Ordinal) { run.Principal };
        involved.UnionWith(await runs.TriggerPrincipalsAsync(runId, cancellationToken));
        if (await runs.ReleasedByAsync(run.ModelName, run.Environment, run.CodeVersion, cancellationToken) is { } releasedBy)
            involved.Add(releasedBy);
        if (involved.Contains(guard.Caller.Name))
        {
            var denied = new AccessDeniedException(SeparationOfDuties, run.Environment, resource,
                $"Separation of duties: {guard.Caller.Name} requested this run or released its code ({run.CodeVersion}), so cannot decide its promotion.");
            await guard.RefuseAsync(action, denied, cancellationToken);
            throw denied;
        }

        if (run.CurrentState != RunQueries.AwaitingApproval)
            throw ApiProblemException.Conflict($"Run {runId} is {run.CurrentState}, not waiting for approval.", "runId");
        return run;
    }
}
