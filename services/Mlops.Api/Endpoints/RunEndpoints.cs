using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Responses;

namespace Mlops.Api.Endpoints;

/// <summary>Pipeline runs: list and filter, show one, and follow one as server-sent events until it finishes.</summary>
public static class RunEndpoints
{
    public static RouteGroupBuilder MapRunEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/runs").WithTags("Runs");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<RunSummary>>(StatusCodes.Status200OK).WithSummary("Runs of an environment or a model, newest first");
        group.MapGet("/{runId:guid}", ShowAsync).Answers<RunDetails>(StatusCodes.Status200OK, 404).WithSummary("One run with its history");
        group.MapGet("/{runId:guid}/events", Follow).AnswersText("text/event-stream", 404)
            .WithSummary("Follow a run: one 'history' event per step note, then 'finished' with the run");
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

    internal static async Task<RunDetails> FindReadableAsync(Guid runId, AccessGuard guard, RunQueries runs, CancellationToken cancellationToken)
    {
        var run = await runs.FindAsync(runId, cancellationToken) ?? throw ApiProblemException.NotFound("runId", $"There is no run {runId}.");
        await guard.DemandAsync("runs.read", Permissions.CatalogRead, run.Environment, $"run:{runId}", cancellationToken);
        return run;
    }
}
