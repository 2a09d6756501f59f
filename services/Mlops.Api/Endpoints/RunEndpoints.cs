using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
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
/// Pipeline runs: list and filter, show one, follow one as server-sent events until it finishes; request one by hand and cancel
/// one. Whoever may create versions of a model (models.write) may start a run of it, and stop one.
/// </summary>
public static class RunEndpoints
{
    public static RouteGroupBuilder MapRunEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/runs").WithTags("Runs");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<RunSummary>>(StatusCodes.Status200OK).WithSummary("Runs of an environment or a model, newest first");
        group.MapGet("/{runId:guid}", ShowAsync).Answers<RunDetails>(StatusCodes.Status200OK, 404).WithSummary("One run with its history");
        group.MapGet("/{runId:guid}/events", Follow).AnswersText("text/event-stream", 404)
            .WithSummary("Follow a run: one 'history' event per step note, then 'finished' with the run");
        group.MapPost("/", RequestAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 409, 422)
            .WithSummary("Ask for a run of a model by hand (publishes PipelineRequested)");
        group.MapPost("/{runId:guid}/cancel", CancelAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 404, 409, 422)
            .WithSummary("End an active run by hand: it ends Cancelled with the reason (publishes CancelPipelineRun)");
        return api;
    }

    private static async Task<IResult> ListAsync(string? environment, string? model, string? state, int? limit, AccessGuard guard, RunQueries runs,
        CancellationToken cancellationToken)
    {
        var name = model is null ? null : Input.Model(model, "model");
        var catalog = name?.Catalog ?? (environment is null
            ? throw ApiProblemException.Invalid("environment", "Give environment (dev, staging or prod) or model.")
            : Input.Environment(environment, "environment"));
        if (name is not null && environment is not null && environment != name.Catalog)
            throw ApiProblemException.Invalid("environment", $"Model {name} lives in {name.Catalog}, not in {environment}.");
        var stateFilter = state is null ? null : Input.Token(state, "state", 40);
        var max = Input.Limit(limit);

        await guard.DemandAsync("runs.list", Permissions.CatalogRead, catalog, $"runs:{catalog}", cancellationToken);
        var found = await runs.ListAsync(catalog, name?.FullName, stateFilter, max, cancellationToken);
        return Results.Ok(found.Select(r => r.ToSummary()).ToList());
    }

    private static async Task<IResult> ShowAsync(Guid runId, AccessGuard guard, RunQueries runs, CancellationToken cancellationToken)
    {
        var run = await FindReadableAsync(runId, guard, runs, cancellationToken);
        return Results.Ok(run);
    }

    private static async Task<IResult> Follow(Guid runId, AccessGuard guard, RunQueries runs, IOptions<ApiOptions> options, CancellationToken cancellationToken)
    {
        await FindReadableAsync(runId, guard, runs, cancellationToken);
        return TypedResults.ServerSentEvents(StreamAsync(runId, runs, options.Value.FollowPollInterval, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<object>> StreamAsync(Guid runId, RunQueries runs, TimeSpan poll,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var sent = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var run = await runs.FindAsync(runId, cancellationToken);
            if (run is not null)
            {
                foreach (var entry in run.History.Skip(sent))
                    yield return new SseItem<object>(entry, "history");
                sent = run.History.Count;
                if (run.FinishedAt is not null)
                {
                    yield return new SseItem<object>(run.ToSummary(), "finished");
                    yield break;
                }
            }
            await Task.Delay(poll, cancellationToken);
        }
    }

    private static async Task<IResult> RequestAsync(RunRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var model = Input.Model(request.ModelName, "modelName");
        var reason = Input.Text(request.Reason ?? "requested by hand", "reason", 2000);
        var codeVersion = request.CodeVersion is null ? null : Input.Token(request.CodeVersion, "codeVersion");
        var parameters = Input.Pairs(request.Parameters, "parameters");

        var resource = AuditQueries.ModelResource(model.FullName);
        await guard.DemandAsync("run.request", Permissions.ModelsWrite, model.Catalog, resource, cancellationToken);
        var message = new PipelineRequested
        {
            ModelName = model.FullName, Environment = model.Catalog, Principal = guard.Caller.Name, Reason = reason, CodeVersion = codeVersion,
            Parameters = parameters.Count > 0 ? parameters : null,
        };
        return await IngestionEndpoints.PublishAsync(session, publisher, audit, message, "run.request", resource, reason, null, cancellationToken);
    }

    private static async Task<IResult> CancelAsync(Guid runId, CancelRunRequest request, AccessGuard guard, RunQueries runs, RequestAudit audit,
        DbSession session, OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var reason = Input.Text(request.Reason, "reason", 2000);
        var run = await runs.FindAsync(runId, cancellationToken) ?? throw ApiProblemException.NotFound("runId", $"There is no run {runId}.");
        var resource = $"run:{runId}";
        await guard.DemandAsync("run.cancel", Permissions.ModelsWrite, run.Environment, resource, cancellationToken);
        if (run.FinishedAt is not null)
            throw ApiProblemException.Conflict($"Run {runId} already finished {run.CurrentState}; there is nothing to cancel.", "runId");
        var message = new CancelPipelineRun { CorrelationId = runId, Principal = guard.Caller.Name, Reason = reason };
        return await IngestionEndpoints.PublishAsync(session, publisher, audit, message, "run.cancel", resource, reason, runId, cancellationToken);
    }

    internal static async Task<RunDetails> FindReadableAsync(Guid runId, AccessGuard guard, RunQueries runs, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(runId, cancellationToken) ?? throw ApiProblemException.NotFound("runId", $"There is no run {runId}.");
        await guard.DemandAsync("runs.read", Permissions.CatalogRead, run.Environment, $"run:{runId}", cancellationToken);
        return run;
    }
}
