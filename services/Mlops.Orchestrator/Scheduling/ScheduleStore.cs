using Dapper;
using Mlops.Hosting.Data;

namespace Mlops.Orchestrator.Scheduling;

/// <summary>The SQL of the scheduler over pipeline.schedules: the occurrence each model's schedule last fired for.</summary>
public sealed class ScheduleStore
{
    /// <summary>
    /// Locks the model's schedule row until the session commits, so schedulers of several orchestrators look at one model
    /// one after the other. A schedule seen for the first time gets its row, starting from <paramref name="start"/>, and
    /// the answer null: there is nothing of it to fire yet.
    /// </summary>
    public async Task<ScheduleState?> LockAsync(DbSession session, string modelName, string environment, string expression, DateTimeOffset start,
        CancellationToken cancellationToken)
    {
        var created = await session.Connection.ExecuteAsync(new CommandDefinition(CreateSql,
            new { ModelName = modelName, Environment = environment, Expression = expression, Start = start }, session.Transaction,
            cancellationToken: cancellationToken));
        if (created == 1)
            return null;

        return await session.Connection.QuerySingleAsync<ScheduleState>(new CommandDefinition(LockSql,
            new { ModelName = modelName, Environment = environment }, session.Transaction, cancellationToken: cancellationToken));
    }

    /// <summary>Claims <paramref name="occurrence"/> as fired.</summary>
    public Task FiredAsync(DbSession session, string modelName, string environment, DateTimeOffset occurrence, DateTimeOffset firedAt,
        CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(FiredSql,
            new { ModelName = modelName, Environment = environment, Occurrence = occurrence, FiredAt = firedAt }, session.Transaction,
            cancellationToken: cancellationToken));

    /// <summary>The model's schedule changed: it starts again from <paramref name="start"/>, without firing.</summary>
    public Task RestartAsync(DbSession session, string modelName, string environment, string expression, DateTimeOffset start,
        CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition(RestartSql,
            new { ModelName = modelName, Environment = environment, Expression = expression, Start = start }, session.Transaction,
            cancellationToken: cancellationToken));

    private const string CreateSql = """
        INSERT INTO pipeline.schedules (model_name, environment, expression, last_occurrence)
        VALUES (@ModelName, @Environment, @Expression, @Start)
        ON CONFLICT (model_name, environment) DO NOTHING
        """;

    private const string LockSql = """
        SELECT expression AS Expression, last_occurrence AS LastOccurrence
        FROM pipeline.schedules
        WHERE model_name = @ModelName AND environment = @Environment
        FOR UPDATE
        """;

    private const string FiredSql = """
        UPDATE pipeline.schedules SET last_occurrence = @Occurrence, fired_at = @FiredAt, updated_at = now()
        WHERE model_name = @ModelName AND environment = @Environment
        """;

    private const string RestartSql = """
        UPDATE pipeline.schedules SET expression = @Expression, last_occurrence = @Start, updated_at = now()
        WHERE model_name = @ModelName AND environment = @Environment
        """;
}
