using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Catalog.Scoring;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Batch scoring on demand: a job is planned here (so a request that cannot be scored is refused at once, naming the field),
/// recorded queued and sent to the batch scoring service as ScoreBatch with its audit entry, in one transaction. Starting a
/// job needs models.write: it writes a predictions table and feeds monitoring, whose alerts can start retraining. Reading a
/// job needs models.read.
/// </summary>
public static class BatchScoringEndpoints
{
    public static RouteGroupBuilder MapBatchScoringEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/models/{name}/batch-scoring").WithTags("Batch scoring");
        group.MapPost("/", StartAsync).Answers<BatchScoringJob>(StatusCodes.Status202Accepted, 400, 404, 409)
            .WithSummary("Score a feature version, or some of its entity keys, with the champion or a named version (needs models.write)");
        group.MapGet("/", ListAsync).Answers<IReadOnlyList<BatchScoringJob>>(StatusCodes.Status200OK)
            .WithSummary("A model's latest scoring jobs, newest first (needs models.read)");
        group.MapGet("/{jobId:guid}", ShowAsync).Answers<BatchScoringJob>(StatusCodes.Status200OK, 404)
            .WithSummary("A scoring job: its state, chunks done, rows scored and errors");
        return api;
    }

    private static async Task<IResult> StartAsync(string name, BatchScoringRequest? request, AccessGuard guard, BatchScoringPlanner planner,
        BatchScoringJobs jobs, RequestAudit audit, DbSession session, OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        var featureTable = request?.FeatureTable is null ? null : Input.Identifier(request.FeatureTable, "featureTable");
        var resource = AuditQueries.ModelResource(modelName.FullName);
        await guard.DemandAsync("batch_scoring.start", Permissions.ModelsWrite, modelName.Catalog, resource, cancellationToken);

        BatchScoringPlan plan;
        try
        {
            plan = await planner.PlanAsync(modelName.FullName, request?.Version, featureTable, request?.FeatureVersion, request?.EntityKeys, cancellationToken);
        }
        catch (BatchScoringRefusedException refused)
        {
            throw refused.Refusal switch
            {
                BatchScoringRefusal.NotFound => ApiProblemException.NotFound(refused.Field, refused.Message),
                BatchScoringRefusal.Conflict => ApiProblemException.Conflict(refused.Message, refused.Field),
                _ => ApiProblemException.Invalid(refused.Field, refused.Message),
            };
        }

        var jobId = Guid.NewGuid();
        var command = new ScoreBatch
        {
            JobId = jobId, CorrelationId = jobId, ModelName = modelName.FullName, Environment = modelName.Catalog, Principal = guard.Caller.Name,
            ModelVersion = plan.Version.Version, FeatureVersion = plan.FeatureVersion, EntityKeys = plan.EntityKeys, Trigger = BatchScoringJobs.OnDemand,
        };
        await session.BeginAsync(cancellationToken);
        await jobs.QueueAsync(session, command, cancellationToken);
        await publisher.For(session).Publish(command, cancellationToken);
        await audit.AppendAsync(session, "batch_scoring.start", resource,
            $"job {jobId}: version {plan.Version.Version} over {plan.FeatureTable} version {plan.FeatureVersion}" +
            (plan.EntityKeys is { } keys ? $", {keys.Length} keys" : ", every entity"), cancellationToken);
        await session.CommitAsync(cancellationToken);

        var job = await jobs.FindAsync(jobId, cancellationToken);
        return Results.Accepted($"/api/models/{modelName.FullName}/batch-scoring/{jobId}", job);
    }

    private static async Task<IResult> ListAsync(string name, int? limit, AccessGuard guard, BatchScoringJobs jobs, CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        var max = Input.Limit(limit);
        await guard.DemandAsync("batch_scoring.list", Permissions.ModelsRead, modelName.Catalog, AuditQueries.ModelResource(modelName.FullName),
            cancellationToken);
        return Results.Ok(await jobs.ListAsync(modelName.FullName, max, cancellationToken));
    }

    private static async Task<IResult> ShowAsync(string name, Guid jobId, AccessGuard guard, BatchScoringJobs jobs, CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        await guard.DemandAsync("batch_scoring.read", Permissions.ModelsRead, modelName.Catalog, AuditQueries.ModelResource(modelName.FullName),
            cancellationToken);
        var job = await jobs.FindAsync(jobId, cancellationToken);
        return job is not null && job.ModelName == modelName.FullName
            ? Results.Ok(job)
            : throw ApiProblemException.NotFound("jobId", $"Model {modelName} has no scoring job {jobId}.");
    }
}
