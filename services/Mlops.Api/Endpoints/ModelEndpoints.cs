using Mlops.Api.Audit;
using Mlops.Api.Authorization;
using Mlops.Api.Data;
using Mlops.Api.Http;
using Mlops.Api.Requests;
using Mlops.Api.Responses;
using Mlops.Catalog;
using Mlops.Catalog.Registry;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;

namespace Mlops.Api.Endpoints;

/// <summary>
/// The registry: search, models, versions, alias history, and rollback. Every read in the prod catalog is audited (who read
/// which production model or version, and when).
/// </summary>
public static class ModelEndpoints
{
    public static RouteGroupBuilder MapModelEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/models").WithTags("Models");
        group.MapGet("/", SearchAsync).Answers<IReadOnlyList<ModelSummary>>(StatusCodes.Status200OK)
            .WithSummary("Search a catalog's models by name (substring), tag (key or key=value) and alias");
        group.MapGet("/{name}", ShowAsync).Answers<ModelSummary>(StatusCodes.Status200OK, 404).WithSummary("A model with its aliases");
        group.MapGet("/{name}/versions", VersionsAsync).Answers<IReadOnlyList<VersionSummary>>(StatusCodes.Status200OK, 404).WithSummary("A model's versions");
        group.MapGet("/{name}/versions/{version:int}", VersionAsync).Answers<ModelVersion>(StatusCodes.Status200OK, 404).WithSummary("One version with its lineage");
        group.MapGet("/{name}/aliases/{alias}/history", AliasHistoryAsync).Answers<IReadOnlyList<AliasChange>>(StatusCodes.Status200OK, 404)
            .WithSummary("Every move of an alias, oldest first");
        group.MapPost("/{name}/rollback", RollbackAsync).Answers<AcceptedMessage>(StatusCodes.Status202Accepted, 404, 409, 422)
            .WithSummary("Move the champion back (publishes RollbackModel); a version that was never champion needs models.rollback_override");
        group.MapPost("/{name}/versions/{version:int}/archive", ArchiveAsync).Answers<VersionStatusChange>(StatusCodes.Status200OK, 400, 404, 409)
            .WithSummary("Archive a ready version (needs models.promote); a version that is champion or challenger is refused: move the alias first");
        group.MapPost("/{name}/versions/{version:int}/restore", RestoreAsync).Answers<VersionStatusChange>(StatusCodes.Status200OK, 400, 404, 409)
            .WithSummary("Return an archived version to ready (needs models.promote); no alias moves");
        return api;
    }

    private static async Task<IResult> SearchAsync(string? catalog, string? name, string? tag, string? alias, int? limit, AccessGuard guard,
        RegistryQueries registry, RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        var environment = Input.Environment(catalog, "catalog");
        var nameFilter = Input.OptionalText(name, "name", 200);
        string? tagKey = null, tagValue = null;
        if (!string.IsNullOrEmpty(tag))
        {
            var parts = tag.Split('=', 2);
            tagKey = Input.Identifier(parts[0], "tag");
            tagValue = parts.Length == 2 ? Input.Text(parts[1], "tag", 500, required: false) : null;
        }
        var aliasFilter = alias is null ? null : Input.Identifier(alias, "alias");
        var max = Input.Limit(limit);

        await guard.DemandAsync("models.search", Permissions.ModelsRead, environment, $"models:{environment}", cancellationToken);
        var found = await registry.SearchAsync(environment, nameFilter, tagKey, tagValue, aliasFilter, max, cancellationToken);
        if (environment == "prod")
            await AuditReadAsync(session, audit, "models.search", "models:prod", $"{found.Count} models", cancellationToken);
        return Results.Ok(found);
    }

    private static async Task<IResult> ShowAsync(string name, AccessGuard guard, RegistryQueries registry, RequestAudit audit, DbSession session,
        CancellationToken cancellationToken)
    {
        var model = await ReadableModelAsync(name, "model.read", guard, registry, cancellationToken);
        await AuditIfProdAsync(session, audit, model, "model.read", AuditQueries.ModelResource(model.Name), cancellationToken);
        return Results.Ok(model);
    }

    private static async Task<IResult> VersionsAsync(string name, AccessGuard guard, RegistryQueries registry, RequestAudit audit, DbSession session,
        CancellationToken cancellationToken)
    {
        var model = await ReadableModelAsync(name, "model.versions", guard, registry, cancellationToken);
        var versions = await registry.VersionsAsync(model.Name, cancellationToken);
        await AuditIfProdAsync(session, audit, model, "model.versions", AuditQueries.ModelResource(model.Name), cancellationToken);
        return Results.Ok(versions);
    }

    private static async Task<IResult> VersionAsync(string name, int version, AccessGuard guard, RegistryQueries registry, ModelRegistry models,
        RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        var model = await ReadableModelAsync(name, "model.version.read", guard, registry, cancellationToken);
        var found = await models.FindVersionAsync(model.Name, version, cancellationToken)
            ?? throw ApiProblemException.NotFound("version", $"Model {model.Name} has no version {version}.");
        await AuditIfProdAsync(session, audit, model, "model.version.read", AuditQueries.VersionResource(model.Name, version), cancellationToken);
        return Results.Ok(found);
    }

    private static async Task<IResult> AliasHistoryAsync(string name, string alias, AccessGuard guard, RegistryQueries registry, ModelRegistry models,
        RequestAudit audit, DbSession session, CancellationToken cancellationToken)
    {
        var aliasName = Input.Identifier(alias, "alias");
        var model = await ReadableModelAsync(name, "model.alias_history", guard, registry, cancellationToken);
        var history = await models.AliasHistoryAsync(model.Name, aliasName, cancellationToken);
        await AuditIfProdAsync(session, audit, model, "model.alias_history", AuditQueries.ModelResource(model.Name), cancellationToken);
        return Results.Ok(history);
    }

    private static async Task<IResult> RollbackAsync(string name, RollbackRequest request, AccessGuard guard, RegistryQueries registry, ModelRegistry models,
        RequestAudit audit, DbSession session, OutboxPublisher publisher, CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        var reason = Input.Text(request.Reason, "reason", 2000);
        if (request.ToVersion is <= 0)
            throw ApiProblemException.Invalid("toVersion", "toVersion must be a positive version number.");

        var resource = AuditQueries.ModelResource(modelName.FullName);
        await guard.DemandAsync("model.rollback", Permissions.ModelsPromote, modelName.Catalog, resource, cancellationToken);
        _ = await models.FindModelAsync(modelName.FullName, cancellationToken) ?? throw ApiProblemException.NotFound("name", $"There is no model {modelName}.");
        var overriding = false;
        if (request.ToVersion is { } target)
        {
            _ = await models.FindVersionAsync(modelName.FullName, target, cancellationToken)
                ?? throw ApiProblemException.NotFound("toVersion", $"Model {modelName} has no version {target}.");
            if (!await registry.WasChampionAsync(modelName.FullName, target, cancellationToken))
            {
                await guard.DemandAsync("model.rollback", Permissions.ModelsRollbackOverride, modelName.Catalog,
                    AuditQueries.VersionResource(modelName.FullName, target), cancellationToken);
                // The promotion service only moves the champion to a never-champion version when the message says so.
                overriding = true;
            }
        }
        else if (await models.FindAliasAsync(modelName.FullName, ModelAliases.Champion, cancellationToken) is null)
            throw ApiProblemException.Conflict($"Model {modelName} has no champion to roll back from.", "name");

        var requestId = Guid.NewGuid();
        var message = new RollbackModel
        {
            CorrelationId = requestId, ModelName = modelName.FullName, Environment = modelName.Catalog, Principal = guard.Caller.Name,
            ToVersion = request.ToVersion, Reason = reason, Override = overriding,
        };
        return await IngestionEndpoints.PublishAsync(session, publisher, audit, message, "model.rollback", resource,
            $"to {(request.ToVersion is { } v ? $"version {v}" : "the previous champion")}{(overriding ? " (override: never champion)" : "")}: {reason}",
            requestId, cancellationToken);
    }

    private static Task<IResult> ArchiveAsync(string name, int version, VersionStatusRequest request, AccessGuard guard, ModelRegistry models,
        RequestAudit audit, DbSession session, CancellationToken cancellationToken) =>
        ChangeStatusAsync(name, version, Input.Text(request.Reason, "reason", 2000), "model_version.archive", models.ArchiveVersionAsync,
            guard, models, audit, session, cancellationToken);

    private static Task<IResult> RestoreAsync(string name, int version, VersionStatusRequest? request, AccessGuard guard, ModelRegistry models,
        RequestAudit audit, DbSession session, CancellationToken cancellationToken) =>
        ChangeStatusAsync(name, version, Input.OptionalText(request?.Reason, "reason", 2000) ?? "restored", "model_version.restore",
            models.RestoreVersionAsync, guard, models, audit, session, cancellationToken);

    private static async Task<IResult> ChangeStatusAsync(string name, int version, string reason, string action,
        Func<DbSession, string, int, string, string, CancellationToken, Task> change, AccessGuard guard, ModelRegistry models, RequestAudit audit,
        DbSession session, CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        if (version <= 0)
            throw ApiProblemException.Invalid("version", "version must be a positive version number.");
        var resource = AuditQueries.VersionResource(modelName.FullName, version);
        await guard.DemandAsync(action, Permissions.ModelsPromote, modelName.Catalog, resource, cancellationToken);

        await session.BeginAsync(cancellationToken);
        try
        {
            await change(session, modelName.FullName, version, guard.Caller.Name, reason, cancellationToken);
        }
        catch (KeyNotFoundException error)
        {
            throw ApiProblemException.NotFound("version", error.Message);
        }
        catch (InvalidOperationException error)
        {
            throw ApiProblemException.Conflict(error.Message, "version");
        }
        await audit.AppendAsync(session, action, resource, reason, cancellationToken);
        await session.CommitAsync(cancellationToken);
        return Results.Ok((await models.StatusHistoryAsync(modelName.FullName, version, cancellationToken))[^1]);
    }

    private static async Task<ModelSummary> ReadableModelAsync(string name, string action, AccessGuard guard, RegistryQueries registry,
        CancellationToken cancellationToken)
    {
        var modelName = Input.Model(name, "name");
        await guard.DemandAsync(action, Permissions.ModelsRead, modelName.Catalog, AuditQueries.ModelResource(modelName.FullName), cancellationToken);
        var found = await registry.SearchAsync(modelName.Catalog, modelName.FullName, null, null, null, 1000, cancellationToken);
        return found.FirstOrDefault(m => m.Name == modelName.FullName) ?? throw ApiProblemException.NotFound("name", $"There is no model {modelName}.");
    }

    private static Task AuditIfProdAsync(DbSession session, RequestAudit audit, ModelSummary model, string action, string resource, CancellationToken cancellationToken) =>
        ModelName.Parse(model.Name).Catalog == "prod" ? AuditReadAsync(session, audit, action, resource, "", cancellationToken) : Task.CompletedTask;

    /// <summary>Audits a read of prod data in a transaction of its own (the read itself changes nothing).</summary>
    internal static async Task AuditReadAsync(DbSession session, RequestAudit audit, string action, string resource, string detail, CancellationToken cancellationToken)
    {
        await session.BeginAsync(cancellationToken);
        await audit.AppendAsync(session, action, resource, detail, cancellationToken);
        await session.CommitAsync(cancellationToken);
    }
}
