using System.Text.Json;
using Dapper;
using Mlops.Hosting.Data;

namespace Mlops.Orchestrator.Admission;

/// <summary>The SQL of admission over the pipeline schema: lanes, the trigger log and the last released code per model.</summary>
public sealed class AdmissionStore
{
    /// <summary>
    /// Creates the lane on first use and locks it until the session commits: concurrent triggers for one model wait here
    /// for each other, so exactly one of them can find the lane free.
    /// </summary>
    public async Task<LaneSnapshot> LockLaneAsync(DbSession session, string modelName, string environment, CancellationToken cancellationToken)
    {
        var key = new { ModelName = modelName, Environment = environment };
        await session.Connection.ExecuteAsync(new CommandDefinition(EnsureLaneSql, key, session.Transaction, cancellationToken: cancellationToken));
        return await session.Connection.QuerySingleAsync<LaneSnapshot>(new CommandDefinition(LockLaneSql, key, session.Transaction,
            cancellationToken: cancellationToken));
    }

    public Task ClaimLaneAsync(DbSession session, string modelName, string environment, Guid runId, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(ClaimLaneSql,
            new { ModelName = modelName, Environment = environment, RunId = runId }, session.Transaction, cancellationToken: cancellationToken));

    public Task ScheduleRecheckAsync(DbSession session, string modelName, string environment, DateTime dueAt, Guid token, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(ScheduleRecheckSql,
            new { ModelName = modelName, Environment = environment, DueAt = dueAt, Token = token }, session.Transaction, cancellationToken: cancellationToken));

    public Task ClearRecheckAsync(DbSession session, string modelName, string environment, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(ClearRecheckSql,
            new { ModelName = modelName, Environment = environment }, session.Transaction, cancellationToken: cancellationToken));

    public Task RecordTriggerAsync(DbSession session, PipelineTrigger trigger, AdmissionResult result, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(RecordTriggerSql, new
        {
            Kind = trigger.Kind.Name,
            trigger.MessageId,
            trigger.ModelName,
            trigger.Environment,
            trigger.Principal,
            result.RunId,
            Disposition = result.Disposition.ToString().ToLowerInvariant(),
            result.Detail,
            result.RecheckAt,
            result.RecheckToken,
            ModelVersion = trigger.Alert?.ModelVersion,
            trigger.CodeVersion,
            trigger.FollowUpOf,
        }, session.Transaction, cancellationToken: cancellationToken));

    /// <summary>The triggers recorded on a run while it was active, oldest first.</summary>
    public async Task<IReadOnlyList<RecordedTrigger>> RecordedOnAsync(DbSession session, Guid runId, CancellationToken cancellationToken) =>
        (await session.Connection.QueryAsync<RecordedTrigger>(new CommandDefinition(RecordedOnSql, new { RunId = runId }, session.Transaction,
            cancellationToken: cancellationToken))).ToList();

    /// <summary>Whether the follow-up of a finished run was decided already (a run started, or why none), not merely held back.</summary>
    public Task<bool> HasFollowUpAsync(DbSession session, Guid runId, CancellationToken cancellationToken) =>
        session.Connection.ExecuteScalarAsync<bool>(new CommandDefinition(HasFollowUpSql, new { RunId = runId }, session.Transaction,
            cancellationToken: cancellationToken));

    /// <summary>The latest run of the model that trained the code version and completed the pipeline, or null.</summary>
    public Task<Guid?> FindCompletedRunAsync(DbSession session, string modelName, string codeVersion, CancellationToken cancellationToken) =>
        session.Connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(CompletedRunSql, new { ModelName = modelName, CodeVersion = codeVersion },
            session.Transaction, cancellationToken: cancellationToken));

    /// <summary>The code version a run trained with, as its saga holds it.</summary>
    public Task<string?> CodeVersionOfRunAsync(DbSession session, Guid runId, CancellationToken cancellationToken) =>
        session.Connection.ExecuteScalarAsync<string?>(new CommandDefinition(CodeVersionOfRunSql, new { RunId = runId }, session.Transaction,
            cancellationToken: cancellationToken));

    public Task SaveReleasedCodeAsync(DbSession session, ReleasedCode code, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(SaveReleasedCodeSql, new
        {
            code.ModelName,
            code.Environment,
            code.CodeVersion,
            code.Trainer,
            Parameters = JsonSerializer.Serialize(code.Parameters),
            code.Description,
            Tags = JsonSerializer.Serialize(code.Tags),
            code.ReleasedBy,
            code.MessageId,
        }, session.Transaction, cancellationToken: cancellationToken));

    public async Task<ReleasedCode?> FindReleasedCodeAsync(DbSession session, string modelName, string environment, CancellationToken cancellationToken)
    {
        var row = await session.Connection.QuerySingleOrDefaultAsync<ReleasedCodeRow>(new CommandDefinition(FindReleasedCodeSql,
            new { ModelName = modelName, Environment = environment }, session.Transaction, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new ReleasedCode
            {
                ModelName = row.ModelName,
                Environment = row.Environment,
                CodeVersion = row.CodeVersion,
                Trainer = row.Trainer,
                Parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Parameters) ?? [],
                Description = row.Description,
                Tags = JsonSerializer.Deserialize<Dictionary<string, string>>(row.Tags) ?? [],
                ReleasedBy = row.ReleasedBy,
                MessageId = row.MessageId,
            };
    }

    private sealed record ReleasedCodeRow(
        string ModelName, string Environment, string CodeVersion, string Trainer, string Parameters, string? Description, string Tags,
        string ReleasedBy, Guid MessageId);

    private const string EnsureLaneSql = """
        INSERT INTO pipeline.lanes (model_name, environment) VALUES (@ModelName, @Environment)
        ON CONFLICT (model_name, environment) DO NOTHING
        """;

    private const string LockLaneSql = """
        SELECT l.active_run_id AS ActiveRunId, r.current_state AS ActiveRunState, l.last_started_at AS LastStartedAt,
               l.recheck_at AS RecheckAt, l.recheck_token AS RecheckToken, now() AS Now
        FROM pipeline.lanes l
        LEFT JOIN pipeline.deploy_code_pipeline_runs r ON r.correlation_id = l.active_run_id
        WHERE l.model_name = @ModelName AND l.environment = @Environment
        FOR UPDATE OF l
        """;

    // A run that starts clears the pending re-check, so the cooldown after it can schedule one of its own.
    private const string ClaimLaneSql = """
        UPDATE pipeline.lanes
        SET active_run_id = @RunId, last_started_at = now(), recheck_at = NULL, recheck_token = NULL, updated_at = now()
        WHERE model_name = @ModelName AND environment = @Environment
        """;

    private const string ScheduleRecheckSql = """
        UPDATE pipeline.lanes SET recheck_at = @DueAt, recheck_token = @Token, updated_at = now()
        WHERE model_name = @ModelName AND environment = @Environment
        """;

    private const string ClearRecheckSql = """
        UPDATE pipeline.lanes SET recheck_at = NULL, recheck_token = NULL, updated_at = now()
        WHERE model_name = @ModelName AND environment = @Environment
        """;

    private const string RecordTriggerSql = """
        INSERT INTO pipeline.triggers (kind, message_id, model_name, environment, principal, run_id, disposition, detail, recheck_at, recheck_token,
                                       model_version, code_version, follow_up_of)
        VALUES (@Kind, @MessageId, @ModelName, @Environment, @Principal, @RunId, @Disposition, @Detail, @RecheckAt, @RecheckToken,
                @ModelVersion, @CodeVersion, @FollowUpOf)
        """;

    private const string RecordedOnSql = """
        SELECT kind AS Kind, principal AS Principal, detail AS Detail, model_version AS ModelVersion, code_version AS CodeVersion
        FROM pipeline.triggers
        WHERE run_id = @RunId AND disposition = 'recorded'
        ORDER BY trigger_id
        """;

    // A follow-up held back by the cooldown (recheck_at set) is not decided yet.
    private const string HasFollowUpSql = "SELECT EXISTS (SELECT 1 FROM pipeline.triggers WHERE follow_up_of = @RunId AND recheck_at IS NULL)";

    // Served by the partial index of migration 0005 (the expressions and the predicate must stay as they are there).
    private const string CompletedRunSql = """
        SELECT correlation_id FROM pipeline.deploy_code_pipeline_runs
        WHERE current_state = 'Completed' AND (data->>'modelName') = @ModelName AND (data->>'codeVersion') = @CodeVersion
        ORDER BY updated_at DESC LIMIT 1
        """;

    private const string CodeVersionOfRunSql = "SELECT data->>'codeVersion' FROM pipeline.deploy_code_pipeline_runs WHERE correlation_id = @RunId";

    private const string SaveReleasedCodeSql = """
        INSERT INTO pipeline.released_code (model_name, environment, code_version, trainer, parameters, description, tags, released_by, message_id)
        VALUES (@ModelName, @Environment, @CodeVersion, @Trainer, @Parameters::jsonb, @Description, @Tags::jsonb, @ReleasedBy, @MessageId)
        ON CONFLICT (model_name, environment) DO UPDATE
        SET code_version = excluded.code_version, trainer = excluded.trainer, parameters = excluded.parameters,
            description = excluded.description, tags = excluded.tags, released_by = excluded.released_by,
            message_id = excluded.message_id, released_at = now()
        """;

    private const string FindReleasedCodeSql = """
        SELECT model_name AS ModelName, environment AS Environment, code_version AS CodeVersion, trainer AS Trainer,
               parameters::text AS Parameters, description AS Description, tags::text AS Tags, released_by AS ReleasedBy,
               message_id AS MessageId
        FROM pipeline.released_code
        WHERE model_name = @ModelName AND environment = @Environment
        """;
}
