using Dapper;
using Mlops.Catalog.Models;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Catalog.Registry;

/// <summary>
/// Registered models, numbered versions with their lineage, tags, and aliases that move by compare-and-swap
/// ("set champion to 7 only if it is 5 now") and leave an append-only history.
/// </summary>
public sealed class ModelRegistry(NpgsqlDataSource dataSource)
{
    public Task EnsureModelAsync(DbSession session, ModelName name, string? description, string principal, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO registry.models (name, catalog, schema_name, model, description, created_by)
            VALUES (@FullName, @Catalog, @Schema, @Model, @description, @principal)
            ON CONFLICT (name) DO UPDATE SET description = coalesce(excluded.description, registry.models.description)
            """, new { name.FullName, name.Catalog, name.Schema, name.Model, description, principal }, session.Transaction, cancellationToken: cancellationToken));

    public async Task<RegisteredModel?> FindModelAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<RegisteredModel>(new CommandDefinition("""
            SELECT name AS Name, description AS Description, created_by AS CreatedBy, created_at AS CreatedAt FROM registry.models WHERE name = @name
            """, new { name }, cancellationToken: cancellationToken));
    }

    /// <summary>Registers the next version of the model (created if new) in the session's transaction.</summary>
    public async Task<int> RegisterVersionAsync(DbSession session, NewModelVersion version, CancellationToken cancellationToken = default)
    {
        await EnsureModelAsync(session, version.ModelName, null, version.Principal, cancellationToken);
        // The model row's lock orders concurrent registrations, so version numbers never collide.
        await session.Connection.ExecuteAsync(new CommandDefinition("SELECT 1 FROM registry.models WHERE name = @FullName FOR UPDATE",
            new { version.ModelName.FullName }, session.Transaction, cancellationToken: cancellationToken));
        var number = await session.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT coalesce(max(version), 0) + 1 FROM registry.model_versions WHERE model_name = @FullName",
            new { version.ModelName.FullName }, session.Transaction, cancellationToken: cancellationToken));

        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO registry.model_versions (model_name, version, status, description, signature, training_run_id, artifact_sha256, model_format,
                code_version, trainer, feature_table, feature_version, raw_batch_ids, metrics, pipeline_run_id, trace_id, created_by)
            VALUES (@ModelName, @Version, 'ready', @Description, @Signature::jsonb, @TrainingRunId, @ArtifactSha256, @ModelFormat,
                @CodeVersion, @Trainer, @FeatureTable, @FeatureVersion, @RawBatchIds, @Metrics::jsonb, @PipelineRunId, @TraceId, @Principal)
            """, new
            {
                ModelName = version.ModelName.FullName, Version = number, version.Description, Signature = CatalogJson.Serialize(version.Signature),
                version.TrainingRunId, version.ArtifactSha256, version.ModelFormat, version.CodeVersion, version.Trainer, version.FeatureTable, version.FeatureVersion,
                RawBatchIds = version.RawBatchIds.ToArray(), Metrics = CatalogJson.Serialize(version.Metrics), version.PipelineRunId, version.TraceId,
                version.Principal,
            }, session.Transaction, cancellationToken: cancellationToken));

        if (version.Tags.Count > 0)
            await SetTagsAsync(session, version.ModelName.FullName, number, version.Tags, cancellationToken);
        return number;
    }

    public async Task<ModelVersion?> FindVersionAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await FindVersionAsync(connection, null, "WHERE v.model_name = @modelName AND v.version = @version", new { modelName, version }, cancellationToken);
    }

    public Task<ModelVersion?> FindVersionAsync(DbSession session, string modelName, int version, CancellationToken cancellationToken = default) =>
        FindVersionAsync(session.Connection, session.Transaction, "WHERE v.model_name = @modelName AND v.version = @version", new { modelName, version }, cancellationToken);

    /// <summary>The version a pipeline run already registered: a repeated TrainModel registers nothing new.</summary>
    public Task<ModelVersion?> FindVersionByRunAsync(DbSession session, string modelName, Guid pipelineRunId, CancellationToken cancellationToken = default) =>
        FindVersionAsync(session.Connection, session.Transaction, "WHERE v.model_name = @modelName AND v.pipeline_run_id = @pipelineRunId",
            new { modelName, pipelineRunId }, cancellationToken);

    public async Task<IReadOnlyList<ModelVersion>> ListVersionsAsync(string modelName, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VersionRow>(new CommandDefinition(
            $"{SelectVersionSql} WHERE v.model_name = @modelName ORDER BY v.version", new { modelName }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToModel()).ToList();
    }

    private static async Task<ModelVersion?> FindVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object parameters,
        CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(
            $"{SelectVersionSql} {where}", parameters, transaction, cancellationToken: cancellationToken));
        return row?.ToModel();
    }

    public Task SetTagsAsync(DbSession session, string modelName, int version, IReadOnlyDictionary<string, string> tags, CancellationToken cancellationToken = default) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO registry.version_tags (model_name, version, key, value) VALUES (@modelName, @version, @Key, @Value)
            ON CONFLICT (model_name, version, key) DO UPDATE SET value = excluded.value, updated_at = now()
            """, tags.Select(t => new { modelName, version, t.Key, t.Value }), session.Transaction, cancellationToken: cancellationToken));

    public async Task ArchiveAsync(DbSession session, string modelName, int version, CancellationToken cancellationToken = default)
    {
        var updated = await session.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE registry.model_versions SET status = 'archived' WHERE model_name = @modelName AND version = @version",
            new { modelName, version }, session.Transaction, cancellationToken: cancellationToken));
        if (updated == 0)
            throw new KeyNotFoundException($"Model {modelName} has no version {version}.");
    }

    /// <summary>
    /// An operator archives a ready version, recording who and why. A version an alias points at is refused (the alias would
    /// keep serving it): move the alias first. The version row's lock orders this against a concurrent alias move.
    /// Throws <see cref="KeyNotFoundException"/> for an unknown version and <see cref="InvalidOperationException"/> for the wrong state.
    /// </summary>
    public async Task ArchiveVersionAsync(DbSession session, string modelName, int version, string principal, string reason,
        CancellationToken cancellationToken = default)
    {
        await LockStatusAsync(session, modelName, version, expected: "ready", cancellationToken);
        var aliases = (await session.Connection.QueryAsync<string>(new CommandDefinition(
            "SELECT alias FROM registry.aliases WHERE model_name = @modelName AND version = @version ORDER BY alias",
            new { modelName, version }, session.Transaction, cancellationToken: cancellationToken))).ToList();
        if (aliases.Count > 0)
            throw new InvalidOperationException(
                $"Version {version} of {modelName} is the {string.Join(" and ", aliases)}; move the alias to another version before archiving it.");
        await ChangeStatusAsync(session, modelName, version, "ready", "archived", principal, reason, cancellationToken);
    }

    /// <summary>Returns an archived version (by an operator or by enforced compliance) to 'ready'; no alias moves.</summary>
    public async Task RestoreVersionAsync(DbSession session, string modelName, int version, string principal, string reason,
        CancellationToken cancellationToken = default)
    {
        await LockStatusAsync(session, modelName, version, expected: "archived", cancellationToken);
        await ChangeStatusAsync(session, modelName, version, "archived", "ready", principal, reason, cancellationToken);
    }

    public async Task<IReadOnlyList<VersionStatusChange>> StatusHistoryAsync(string modelName, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<VersionStatusChange>(new CommandDefinition("""
            SELECT id AS Id, model_name AS ModelName, version AS Version, from_status AS FromStatus, to_status AS ToStatus, changed_by AS ChangedBy,
                   reason AS Reason, changed_at AS ChangedAt
            FROM registry.version_status_changes WHERE model_name = @modelName AND version = @version ORDER BY id
            """, new { modelName, version }, cancellationToken: cancellationToken))).ToList();
    }

    private static async Task LockStatusAsync(DbSession session, string modelName, int version, string expected, CancellationToken cancellationToken)
    {
        var status = await session.Connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT status FROM registry.model_versions WHERE model_name = @modelName AND version = @version FOR UPDATE",
            new { modelName, version }, session.Transaction, cancellationToken: cancellationToken))
            ?? throw new KeyNotFoundException($"Model {modelName} has no version {version}.");
        if (status != expected)
            throw new InvalidOperationException($"Version {version} of {modelName} is {status}, not {expected}; nothing was changed.");
    }

    private static async Task ChangeStatusAsync(DbSession session, string modelName, int version, string from, string to, string principal, string reason,
        CancellationToken cancellationToken)
    {
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE registry.model_versions SET status = @to WHERE model_name = @modelName AND version = @version;
            INSERT INTO registry.version_status_changes (model_name, version, from_status, to_status, changed_by, reason)
            VALUES (@modelName, @version, @from, @to, @principal, @reason)
            """, new { modelName, version, from, to, principal, reason }, session.Transaction, cancellationToken: cancellationToken));
    }

    public async Task<int?> FindAliasAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT version FROM registry.aliases WHERE model_name = @modelName AND alias = @alias", new { modelName, alias }, cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Points <paramref name="alias"/> at <paramref name="version"/> only if it points at <paramref name="expected"/> now
    /// (null: the alias must not exist yet). Otherwise nothing changes and <see cref="AliasConflictException"/> says what was found.
    /// </summary>
    public async Task SetAliasAsync(DbSession session, string modelName, string alias, int version, int? expected, string principal, string reason,
        Guid? pipelineRunId = null, CancellationToken cancellationToken = default)
    {
        SqlIdentifier.Validate(alias, "alias");
        var current = await session.Connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT version FROM registry.aliases WHERE model_name = @modelName AND alias = @alias FOR UPDATE",
            new { modelName, alias }, session.Transaction, cancellationToken: cancellationToken));
        if (current != expected)
            throw new AliasConflictException(modelName, alias, expected, current);

        // FOR SHARE: an archive of the target waits for this move (and then sees the alias), or this waits for the archive.
        var target = await FindVersionAsync(session.Connection, session.Transaction,
                "WHERE v.model_name = @modelName AND v.version = @version FOR SHARE OF v", new { modelName, version }, cancellationToken)
            ?? throw new KeyNotFoundException($"Model {modelName} has no version {version}.");
        if (target.Status == "archived")
            throw new InvalidOperationException($"Version {version} of {modelName} is archived and cannot take the alias {alias}.");

        int changed;
        if (expected is null)
        {
            changed = await session.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO registry.aliases (model_name, alias, version, updated_by) VALUES (@modelName, @alias, @version, @principal)
                ON CONFLICT (model_name, alias) DO NOTHING
                """, new { modelName, alias, version, principal }, session.Transaction, cancellationToken: cancellationToken));
        }
        else
        {
            changed = await session.Connection.ExecuteAsync(new CommandDefinition("""
                UPDATE registry.aliases SET version = @version, updated_by = @principal, updated_at = now()
                WHERE model_name = @modelName AND alias = @alias AND version = @expected
                """, new { modelName, alias, version, expected, principal }, session.Transaction, cancellationToken: cancellationToken));
        }
        if (changed == 0)
            throw new AliasConflictException(modelName, alias, expected, await FindAliasAsync(modelName, alias, cancellationToken));

        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO registry.alias_history (model_name, alias, from_version, to_version, changed_by, reason, pipeline_run_id)
            VALUES (@modelName, @alias, @expected, @version, @principal, @reason, @pipelineRunId)
            """, new { modelName, alias, expected, version, principal, reason, pipelineRunId }, session.Transaction, cancellationToken: cancellationToken));
    }

    public Task<int?> FindAliasAsync(DbSession session, string modelName, string alias, CancellationToken cancellationToken = default) =>
        session.Connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT version FROM registry.aliases WHERE model_name = @modelName AND alias = @alias", new { modelName, alias }, session.Transaction,
            cancellationToken: cancellationToken));

    public async Task<IReadOnlyList<AliasChange>> AliasHistoryAsync(string modelName, string alias, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<AliasChange>(new CommandDefinition("""
            SELECT id AS Id, model_name AS ModelName, alias AS Alias, from_version AS FromVersion, to_version AS ToVersion, changed_by AS ChangedBy,
                   reason AS Reason, pipeline_run_id AS PipelineRunId, changed_at AS ChangedAt
            FROM registry.alias_history WHERE model_name = @modelName AND alias = @alias ORDER BY id
            """, new { modelName, alias }, cancellationToken: cancellationToken))).ToList();
    }

    private const string SelectVersionSql = """
        SELECT v.model_name AS ModelName, v.version AS Version, v.status AS Status, v.description AS Description, v.signature::text AS Signature,
               v.training_run_id AS TrainingRunId, v.artifact_sha256 AS ArtifactSha256, v.model_format AS ModelFormat, v.code_version AS CodeVersion, v.trainer AS Trainer,
               v.feature_table AS FeatureTable, v.feature_version AS FeatureVersion, v.raw_batch_ids AS RawBatchIds, v.metrics::text AS Metrics,
               v.pipeline_run_id AS PipelineRunId, v.trace_id AS TraceId, v.created_by AS CreatedBy, v.created_at AS CreatedAt,
               (SELECT coalesce(jsonb_object_agg(t.key, t.value), '{}'::jsonb)::text FROM registry.version_tags t
                 WHERE t.model_name = v.model_name AND t.version = v.version) AS Tags
        FROM registry.model_versions v
        """;

    private sealed class VersionRow
    {
        public string ModelName { get; set; } = "";
        public int Version { get; set; }
        public string Status { get; set; } = "";
        public string? Description { get; set; }
        public string Signature { get; set; } = "{}";
        public Guid TrainingRunId { get; set; }
        public string ArtifactSha256 { get; set; } = "";
        public string ModelFormat { get; set; } = "";
        public string CodeVersion { get; set; } = "";
        public string Trainer { get; set; } = "";
        public string FeatureTable { get; set; } = "";
        public int FeatureVersion { get; set; }
        public Guid[] RawBatchIds { get; set; } = [];
        public string Metrics { get; set; } = "{}";
        public Guid? PipelineRunId { get; set; }
        public string? TraceId { get; set; }
        public string CreatedBy { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public string Tags { get; set; } = "{}";

        public ModelVersion ToModel() => new()
        {
            ModelName = ModelName, Version = Version, Status = Status, Description = Description,
            Signature = CatalogJson.Deserialize<ModelSignature>(Signature), TrainingRunId = TrainingRunId, ArtifactSha256 = ArtifactSha256, ModelFormat = ModelFormat,
            CodeVersion = CodeVersion, Trainer = Trainer, FeatureTable = FeatureTable, FeatureVersion = FeatureVersion, RawBatchIds = RawBatchIds,
            Metrics = CatalogJson.Deserialize<Dictionary<string, double>>(Metrics), PipelineRunId = PipelineRunId, TraceId = TraceId,
            CreatedBy = CreatedBy, CreatedAt = CreatedAt, Tags = CatalogJson.Deserialize<Dictionary<string, string>>(Tags),
        };
    }
}
