using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Responses;
using Mlops.Catalog;
using Mlops.Catalog.Features;
using Mlops.Catalog.Lineage;
using Mlops.Catalog.Registry;
using Mlops.Catalog.Tracking;
using Mlops.Hosting.Data;

namespace Mlops.Api.Endpoints;

/// <summary>
/// Lineage both ways. Downstream to upstream (models.read in the model's catalog): a model version back to its raw batches,
/// code and trace. Upstream to downstream (catalog.read in the batch's environment): a raw batch forward to every feature
/// table version and model version built from it; model versions the caller may not read are counted, not shown. Reads of
/// prod lineage are audited like every read of a prod model.
/// </summary>
public static class LineageEndpoints
{
    public static RouteGroupBuilder MapLineageEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/lineage").WithTags("Lineage");
        group.MapGet("/models/{name}/versions/{version:int}", ModelVersionAsync).Answers<ModelLineage>(StatusCodes.Status200OK, 404)
            .WithSummary("Downstream to upstream: a model version's pipeline run, tracking run, feature table version, raw batches, code version and trace");
        group.MapGet("/raw-batches/{batchId:guid}", RawBatchAsync).Answers<BatchLineage>(StatusCodes.Status200OK, 404)
            .WithSummary("Upstream to downstream: every feature table version and model version built from a raw batch");
        return api;
    }

    private static async Task<IResult> ModelVersionAsync(string name, int version, AccessGuard guard, ModelRegistry models, RunQueries runs,
        TrackingStore tracking, FeatureStore features, RawBatches batches, LineageQueries lineage, RequestAudit audit, DbSession session,
        CancellationToken cancellationToken)
    {
        var model = Input.Model(name, "name");
        var resource = AuditQueries.VersionResource(model.FullName, version);
        await guard.DemandAsync("lineage.model_version", Permissions.ModelsRead, model.Catalog, resource, cancellationToken);
        var found = await models.FindVersionAsync(model.FullName, version, cancellationToken)
            ?? throw ApiProblemException.NotFound("version", $"Model {model} has no version {version}.");

        var run = found.PipelineRunId is { } runId ? await runs.FindAsync(runId, cancellationToken) : null;
        var trackingRun = await tracking.FindAsync(found.TrainingRunId, cancellationToken);
        var featureVersion = await features.FindVersionAsync(found.FeatureTable, found.FeatureVersion, cancellationToken);
        var rawBatches = new List<RawBatch>();
        foreach (var batchId in featureVersion?.RawBatchIds ?? found.RawBatchIds)
        {
            if (await batches.FindAsync(batchId, cancellationToken) is { } batch)
                rawBatches.Add(batch);
        }
        var completed = new List<RunSummary>();
        foreach (var completedRunId in await lineage.CompletedRunsOfCodeAsync($"{model.Schema}.{model.Model}", found.CodeVersion, cancellationToken))
        {
            if (await runs.FindAsync(completedRunId, cancellationToken) is { } completedRun && guard.Allows(Permissions.ModelsRead, completedRun.Environment))
                completed.Add(completedRun.ToSummary());
        }

        if (model.Catalog == "prod")
            await ModelEndpoints.AuditReadAsync(session, audit, "lineage.model_version", resource, "", cancellationToken);
        return Results.Ok(new ModelLineage(found, run?.ToSummary(), trackingRun, featureVersion, rawBatches, found.CodeVersion,
            found.TraceId ?? run?.TraceId, completed));
    }

    private static async Task<IResult> RawBatchAsync(Guid batchId, AccessGuard guard, RawBatches batches, LineageQueries lineage, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        var batch = await batches.FindAsync(batchId, cancellationToken);
        // A batch of no environment (landed before environments) is readable by those who may read every catalog.
        var catalog = batch?.Environment ?? Permissions.AnyCatalog;
        var resource = $"data:{catalog}/{batch?.SourceTable}/{batchId}";
        await guard.DemandAsync("lineage.raw_batch", Permissions.CatalogRead, catalog, resource, cancellationToken);
        if (batch is null)
            throw ApiProblemException.NotFound("batchId", $"There is no raw batch {batchId}.");

        var featureVersions = await lineage.FeatureVersionsFromAsync(batchId, cancellationToken);
        var modelVersions = await lineage.ModelVersionsFromAsync(batchId, cancellationToken);
        var readable = modelVersions.Where(v => guard.Allows(Permissions.ModelsRead, ModelName.Parse(v.ModelName).Catalog)).ToList();
        if (catalog == "prod")
            await ModelEndpoints.AuditReadAsync(session, audit, "lineage.raw_batch", resource, $"{readable.Count} model versions", cancellationToken);
        return Results.Ok(new BatchLineage(batch, featureVersions, readable, modelVersions.Count - readable.Count));
    }
}
