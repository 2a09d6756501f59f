using System.Text.Json;
using Dapper;
using Mlops.Api.Responses;
using Npgsql;

namespace Mlops.Api.Data;

/// <summary>Reads the orchestrator's runs and released code (read only: the orchestrator owns these tables).</summary>
public sealed class RunQueries(NpgsqlDataSource dataSource)
{
    public const string AwaitingApproval = "AwaitingApproval";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<RunDetails?> FindAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT data::text FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @runId", new { runId }, cancellationToken: cancellationToken));
        return json is null ? null : WithState(json);
    }

    public async Task<IReadOnlyList<RunDetails>> ListAsync(string? environment, string? modelName, string? state, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition("""
            SELECT data::text FROM pipeline.deploy_code_pipeline_runs
            WHERE (@environment::text IS NULL OR data->>'environment' = @environment)
              AND (@modelName::text IS NULL OR data->>'modelName' = @modelName)
              AND (@state::text IS NULL OR current_state = @state)
            ORDER BY created_at DESC LIMIT @limit
            """, new { environment, modelName, state, limit }, cancellationToken: cancellationToken));
        return rows.Select(WithState).ToList();
    }

    /// <summary>The latest run of the model that trained the code version and completed the pipeline (what promote-code promotes), or null.</summary>
    public async Task<RunDetails?> FindCompletedAsync(string modelName, string codeVersion, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition("""
            SELECT data::text FROM pipeline.deploy_code_pipeline_runs
            WHERE current_state = 'Completed' AND (data->>'modelName') = @modelName AND (data->>'codeVersion') = @codeVersion
            ORDER BY updated_at DESC LIMIT 1
            """, new { modelName, codeVersion }, cancellationToken: cancellationToken));
        return json is null ? null : WithState(json);
    }

    /// <summary>Who released the code a run trains with, if that release is the model's last one.</summary>
    public async Task<string?> ReleasedByAsync(string modelName, string environment, string codeVersion, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition("""
            SELECT released_by FROM pipeline.released_code WHERE model_name = @modelName AND environment = @environment AND code_version = @codeVersion
            """, new { modelName, environment, codeVersion }, cancellationToken: cancellationToken));
    }

    /// <summary>Every principal behind the triggers recorded on a run (who requested it, and who released code into it).</summary>
    public async Task<IReadOnlyList<string>> TriggerPrincipalsAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT DISTINCT principal FROM pipeline.triggers WHERE run_id = @runId", new { runId }, cancellationToken: cancellationToken));
        return rows.ToList();
    }

    private static RunDetails WithState(string json) => JsonSerializer.Deserialize<RunDetails>(json, Json)!;
}
