using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Hosting.Data;
using Mlops.Hosting.DeadLetters;

namespace Mlops.Api.Endpoints;

/// <summary>
/// messaging.dead_letters for operators (`mlops errors`): what failed for good on any endpoint and why, and sending it back to its
/// queue after a fix. Dead letters span every service and catalog, and a body may hold any data, so all of it needs deadletters.manage.
/// </summary>
public static class DeadLetterEndpoints
{
    public static RouteGroupBuilder MapDeadLetterEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/dead-letters").WithTags("Dead letters");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<DeadLetter>>(StatusCodes.Status200OK)
            .WithSummary("Dead letters, newest first, without their bodies (queue filter; replayed ones with includeReplayed=true)");
        group.MapGet("/{id:long}", ShowAsync).Answers<DeadLetter>(StatusCodes.Status200OK, 404).WithSummary("One dead letter with its headers and body");
        group.MapPost("/{id:long}/replay", ReplayAsync).Answers<DeadLetter>(StatusCodes.Status200OK, 404, 409, 422)
            .WithSummary("Send a dead letter back to its queue (same MessageId) through the consuming service's outbox");
        group.MapPost("/replay", ReplayQueueAsync).Answers<ReplayedDeadLetters>(StatusCodes.Status200OK, 409, 422)
            .WithSummary("Send every unreplayed dead letter of a queue back to it");
        return api;
    }

    private static async Task<IResult> ListAsync(string? queue, bool? includeReplayed, int? limit, AccessGuard guard, DeadLetterStore store,
        CancellationToken cancellationToken)
    {
        var queueFilter = queue is null ? null : Input.Token(queue, "queue", 200);
        var max = Input.Limit(limit);
        await guard.DemandAsync("deadletters.list", Permissions.DeadLettersManage, Permissions.AnyCatalog, "dead-letters", cancellationToken);
        var letters = await store.ListAsync(queueFilter, includeReplayed ?? false, max, cancellationToken);
        return Results.Ok(letters.Select(x => x with { Body = null, Headers = null }).ToList());
    }

    private static async Task<IResult> ShowAsync(long id, AccessGuard guard, DeadLetterStore store, CancellationToken cancellationToken)
    {
        await guard.DemandAsync("deadletters.read", Permissions.DeadLettersManage, Permissions.AnyCatalog, Resource(id), cancellationToken);
        return Results.Ok(await store.FindAsync(id, cancellationToken) ?? throw ApiProblemException.NotFound("id", $"There is no dead letter {id}."));
    }

    private static async Task<IResult> ReplayAsync(long id, AccessGuard guard, RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        await guard.DemandAsync("deadletter.replay", Permissions.DeadLettersManage, Permissions.AnyCatalog, Resource(id), cancellationToken);
        await session.BeginAsync(cancellationToken);
        DeadLetter letter;
        try
        {
            letter = await DeadLetterStore.ReplayAsync(session.Connection, session.Transaction, id, guard.Caller.Name, cancellationToken);
        }
        catch (KeyNotFoundException exception)
        {
            throw ApiProblemException.NotFound("id", exception.Message);
        }
        catch (InvalidOperationException exception)
        {
            throw ApiProblemException.Conflict(exception.Message, "id");
        }
        await audit.AppendAsync(session, "deadletter.replay", Resource(id), $"{letter.MessageType} back to {letter.Queue} via {letter.Service}", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Ok(letter with { Body = null, Headers = null });
    }

    private static async Task<IResult> ReplayQueueAsync(ReplayQueueRequest request, AccessGuard guard, RequestAudit audit, DbSession session,
        CancellationToken cancellationToken)
    {
        var queue = Input.Token(request.Queue, "queue", 200);
        var resource = "dead-letters:" + queue;
        await guard.DemandAsync("deadletter.replay", Permissions.DeadLettersManage, Permissions.AnyCatalog, resource, cancellationToken);
        await session.BeginAsync(cancellationToken);
        int count;
        try
        {
            count = await DeadLetterStore.ReplayQueueAsync(session.Connection, session.Transaction, queue, guard.Caller.Name, cancellationToken);
        }
        catch (InvalidOperationException exception)
        {
            throw ApiProblemException.Conflict(exception.Message, "queue");
        }
        await audit.AppendAsync(session, "deadletter.replay", resource, $"{count} dead letter(s)", cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Ok(new ReplayedDeadLetters(queue, count));
    }

    private static string Resource(long id) => $"dead-letter:{id}";
}
