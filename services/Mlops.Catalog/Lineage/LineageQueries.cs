using Dapper;
using Npgsql;

namespace Mlops.Catalog.Lineage;

/// <summary>
/// Lineage from upstream to downstream (what was built from a raw batch) and across environments (where a code version
/// completed the pipeline). Read only; used by the API and the CLI.
/// </summary>
public sealed class LineageQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<LineageFeatureVersion>> FeatureVersionsFromAsync(Guid batchId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LineageFeatureVersion>(new CommandDefinition("""
            SELECT table_name AS "Table", version AS Version, environment AS Environment, row_count AS RowCount, pipeline_run_id AS PipelineRunId,
                   created_at AS CreatedAt
            FROM features.table_versions WHERE raw_batch_ids @> ARRAY[@batchId]::uuid[]
            ORDER BY table_name, version
            """, new { batchId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Versions whose own lineage names the batch, or that trained on a feature version computed from it.</summary>
    public async Task<IReadOnlyList<LineageModelVersion>> ModelVersionsFromAsync(Guid batchId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<LineageModelVersion>(new CommandDefinition("""
            SELECT model_name AS ModelName, version AS Version, status AS Status, feature_table AS FeatureTable, feature_version AS FeatureVersion,
                   code_version AS CodeVersion, pipeline_run_id AS PipelineRunId, trace_id AS TraceId, created_at AS CreatedAt
            FROM registry.model_versions
            WHERE raw_batch_ids @> ARRAY[@batchId]::uuid[]
               OR (feature_table, feature_version) IN (
                   SELECT table_name, version FROM features.table_versions WHERE raw_batch_ids @> ARRAY[@batchId]::uuid[])
            ORDER BY model_name, version
            """, new { batchId }, cancellationToken: cancellationToken))).ToList();
    }

    /// <summary>Completed runs of the code version for the model of that schema and name in every environment, oldest first.</summary>
    public async Task<IReadOnlyList<Guid>> CompletedRunsOfCodeAsync(string schemaAndModel, string codeVersion, CancellationToken cancellationToken)
    {
        var models = ModelName.Environments.Select(environment => $"{environment}.{schemaAndModel}").ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Guid>(new CommandDefinition("""
            SELECT correlation_id FROM pipeline.deploy_code_pipeline_runs
            WHERE current_state = 'Completed' AND (data->>'modelName') = ANY(@models) AND (data->>'codeVersion') = @codeVersion
            ORDER BY updated_at
            """, new { models, codeVersion }, cancellationToken: cancellationToken))).ToList();
    }
}
