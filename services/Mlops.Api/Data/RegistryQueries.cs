using System.Text.Json;
using Dapper;
using Mlops.Api.Responses;
using Npgsql;

namespace Mlops.Api.Data;

/// <summary>Searches the registry (read only: Mlops.Catalog's ModelRegistry owns the tables and every write to them).</summary>
public sealed class RegistryQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ModelSummary>> SearchAsync(string catalog, string? name, string? tagKey, string? tagValue, string? alias, int limit,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ModelRow>(new CommandDefinition("""
            SELECT m.name AS Name, m.description AS Description, m.created_by AS CreatedBy, m.created_at AS CreatedAt,
                   (SELECT max(v.version) FROM registry.model_versions v WHERE v.model_name = m.name) AS LatestVersion,
                   coalesce((SELECT jsonb_object_agg(a.alias, a.version) FROM registry.aliases a WHERE a.model_name = m.name), '{}')::text AS Aliases
            FROM registry.models m
            WHERE m.catalog = @catalog
              AND (@name::text IS NULL OR strpos(m.name, @name) > 0)
              AND (@alias::text IS NULL OR EXISTS (SELECT 1 FROM registry.aliases a WHERE a.model_name = m.name AND a.alias = @alias))
              AND (@tagKey::text IS NULL OR EXISTS (SELECT 1 FROM registry.version_tags t
                                                    WHERE t.model_name = m.name AND t.key = @tagKey AND (@tagValue::text IS NULL OR t.value = @tagValue)))
            ORDER BY m.name LIMIT @limit
            """, new { catalog, name, alias, tagKey, tagValue, limit }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSummary()).ToList();
    }

    public async Task<IReadOnlyList<VersionSummary>> VersionsAsync(string modelName, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<VersionRow>(new CommandDefinition("""
            SELECT v.version AS Version, v.status AS Status, v.model_format AS ModelFormat, v.code_version AS CodeVersion, v.trainer AS Trainer, v.created_by AS CreatedBy,
                   v.created_at AS CreatedAt, v.metrics::text AS Metrics,
                   coalesce((SELECT jsonb_object_agg(t.key, t.value) FROM registry.version_tags t WHERE t.model_name = v.model_name AND t.version = v.version), '{}')::text AS Tags,
                   coalesce((SELECT array_agg(a.alias ORDER BY a.alias) FROM registry.aliases a WHERE a.model_name = v.model_name AND a.version = v.version), '{}') AS Aliases
            FROM registry.model_versions v WHERE v.model_name = @modelName ORDER BY v.version
            """, new { modelName }, cancellationToken: cancellationToken));
        return rows.Select(r => r.ToSummary()).ToList();
    }

    /// <summary>Whether the version was ever the model's champion (the alias history is append-only, so this cannot be rewritten).</summary>
    public async Task<bool> WasChampionAsync(string modelName, int version, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM registry.alias_history WHERE model_name = @modelName AND alias = 'champion' AND to_version = @version)
            """, new { modelName, version }, cancellationToken: cancellationToken));
    }

    private sealed class ModelRow
    {
        public string Name { get; set; } = "";
        public string? Description { get; set; }
        public string CreatedBy { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public int? LatestVersion { get; set; }
        public string Aliases { get; set; } = "{}";

        public ModelSummary ToSummary() =>
            new(Name, Description, CreatedBy, CreatedAt, LatestVersion, JsonSerializer.Deserialize<Dictionary<string, int>>(Aliases) ?? []);
    }

    private sealed class VersionRow
    {
        public int Version { get; set; }
        public string Status { get; set; } = "";
        public string ModelFormat { get; set; } = "";
        public string CodeVersion { get; set; } = "";
        public string Trainer { get; set; } = "";
        public string CreatedBy { get; set; } = "";
        public DateTime CreatedAt { get; set; }
        public string Metrics { get; set; } = "{}";
        public string Tags { get; set; } = "{}";
        public string[] Aliases { get; set; } = [];

        public VersionSummary ToSummary() => new(Version, Status, ModelFormat, CodeVersion, Trainer, CreatedBy, CreatedAt,
            JsonSerializer.Deserialize<Dictionary<string, double>>(Metrics) ?? [], JsonSerializer.Deserialize<Dictionary<string, string>>(Tags) ?? [], Aliases);
    }
}
