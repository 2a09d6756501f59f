using Microsoft.Extensions.Options;
using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Catalog;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Code promotion (docs/environments.md): a code version that completed the pipeline in one environment is released to the
/// next one of Pipeline:Promotion:Chain, where it runs on that environment's data. Promoting into an environment needs
/// models.write there. The orchestrator checks the same rule again for every run, so this is the way in, not the guard.
/// </summary>
public static class PromoteCodeEndpoints
{
    public static RouteGroupBuilder MapPromoteCodeEndpoints(this RouteGroupBuilder api)
    {
        api.MapGroup("/models").WithTags("Models")
            .MapPost("/{name}/promote-code", PromoteAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 404, 409, 422)
            .WithSummary("Promote a code version that completed the pipeline in the previous environment of the chain (publishes TrainingCodeReleased there)");
        return api;
    }

    private static async Task<IResult> PromoteAsync(string name, PromoteCodeRequest request, AccessGuard guard, RunQueries runs, RequestAudit audit,
        DbSession session, OutboxPublisher publisher, IOptions<PromotionChain> options, CancellationToken cancellationToken)
    {
        var model = Input.Model(name, "name");
        var codeVersion = Input.Token(request.CodeVersion, "codeVersion");
        var to = Input.Environment(request.To, "to");
        var chain = options.Value;
        var target = PromotionChain.ModelIn(to, model);

        await guard.DemandAsync("code.promote", Permissions.ModelsWrite, to, AuditQueries.ModelResource(target), cancellationToken);
        if (chain.Before(to) is not { } from)
            throw ApiProblemException.Conflict($"{to} is the first environment of the promotion chain ({chain.Chain}): nothing is promoted into it; " +
                "release code there (POST /api/ingestion/code-released).", "to");

        var source = PromotionChain.ModelIn(from, model);
        var passed = await runs.FindCompletedAsync(source, codeVersion, cancellationToken)
            ?? throw ApiProblemException.Conflict($"Code {codeVersion} never completed the pipeline in {from} ({source} has no Completed run of it), " +
                $"so it cannot be promoted to {to}.", "codeVersion");

        var message = new TrainingCodeReleased
        {
            ModelName = target, Environment = to, Principal = guard.Caller.Name, CodeVersion = codeVersion, Trainer = passed.Trainer,
            Parameters = passed.Parameters, Tags = passed.Tags, Description = passed.Description,
        };
        return await IngestionEndpoints.PublishAsync(session, publisher, audit, message, "code.promote", AuditQueries.ModelResource(target),
            $"code {codeVersion} from {from} (run {passed.CorrelationId} completed) to {target}", null, cancellationToken);
    }
}
