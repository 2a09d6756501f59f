using System.Text.Json;
using Dapper;
using Npgsql;

namespace Mlops.Cli.Runs;

/// <summary>Reads runs and triggers from the orchestrator's tables.</summary>
public sealed class PipelineRuns(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RunView?> FindAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT data::text FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId }, cancellationToken: cancellationToken));
        return json is null ? null : JsonSerializer.Deserialize<RunView>(json, Json);
    }

    public async Task<IReadOnlyList<RunView>> ListAsync(string? modelName, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT data::text FROM pipeline.deploy_code_pipeline_runs
            WHERE @modelName::text IS NULL OR data->>'modelName' = @modelName
            ORDER BY created_at DESC LIMIT @limit
            """, new { modelName, limit }, cancellationToken: cancellationToken));
        return rows.Select(json => JsonSerializer.Deserialize<RunView>(json, Json)!).ToList();
    }

    /// <summary>The run a trigger started: by the trigger's message id, or by a fragment of its detail (e.g. a batch id).</summary>
    public async Task<Guid?> StartedByAsync(Guid? messageId, string? detailFragment, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT run_id FROM pipeline.triggers
            WHERE disposition = 'started' AND (message_id = @messageId OR (@detailFragment::text IS NOT NULL AND detail LIKE '%' || @detailFragment || '%'))
            ORDER BY trigger_id LIMIT 1
            """, new { messageId, detailFragment }, cancellationToken: cancellationToken));
    }

    /// <summary>The first run started since <paramref name="since"/> by a trigger of one of these kinds.</summary>
    public async Task<Guid?> StartedByKindSinceAsync(string[] kinds, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition("""
            SELECT run_id FROM pipeline.triggers
            WHERE disposition = 'started' AND kind = ANY(@kinds) AND received_at >= @since
            ORDER BY trigger_id LIMIT 1
            """, new { kinds, since = since.UtcDateTime }, cancellationToken: cancellationToken));
    }

    /// <summary>The trigger that started a run.</summary>
    public async Task<(string Kind, string Detail)> TriggerOfAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleAsync<(string, string)>(new CommandDefinition(
            "SELECT kind, detail FROM pipeline.triggers WHERE run_id = @runId AND disposition = 'started'", new { runId }, cancellationToken: cancellationToken));
    }

    /// <summary>How admission disposed of the latest trigger of a kind received since an instant.</summary>
    public async Task<(string Disposition, string Detail)?> LatestDispositionAsync(string kind, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<(string, string)?>(new CommandDefinition("""
            SELECT disposition, detail FROM pipeline.triggers
            WHERE kind = @kind AND received_at >= @since
            ORDER BY trigger_id DESC LIMIT 1
            """, new { kind, since = since.UtcDateTime }, cancellationToken: cancellationToken));
    }
}
