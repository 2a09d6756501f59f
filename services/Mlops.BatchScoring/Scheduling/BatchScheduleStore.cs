using Dapper;
using Mlops.Hosting.Data;

namespace Mlops.BatchScoring.Scheduling;

/// <summary>scoring.schedules: the occurrence each model's batch schedule last fired for, claimed under the row's lock.</summary>
public sealed class BatchScheduleStore
{
    /// <summary>
    /// Locks the model's row until the session ends. A schedule seen for the first time, or changed, starts from
    /// <paramref name="now"/> (nothing to fire yet: null); otherwise the occurrence it last fired for.
    /// </summary>
    public async Task<DateTimeOffset?> LockAsync(DbSession session, string model, string expression, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await session.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO scoring.schedules (model_name, expression, last_occurrence) VALUES (@model, @expression, @now)
                ON CONFLICT (model_name) DO NOTHING
                """, new { model, expression, now }, session.Transaction, cancellationToken: cancellationToken)) == 1)
            return null;

        var (stored, last) = await session.Connection.QuerySingleAsync<(string, DateTime)>(new CommandDefinition("""
            SELECT expression, last_occurrence FROM scoring.schedules WHERE model_name = @model FOR UPDATE
            """, new { model }, session.Transaction, cancellationToken: cancellationToken));
        if (stored == expression)
            return new DateTimeOffset(DateTime.SpecifyKind(last, DateTimeKind.Utc));

        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE scoring.schedules SET expression = @expression, last_occurrence = @now, updated_at = now() WHERE model_name = @model
            """, new { model, expression, now }, session.Transaction, cancellationToken: cancellationToken));
        return null;
    }

    public Task FiredAsync(DbSession session, string model, DateTimeOffset occurrence, CancellationToken cancellationToken) =>
        session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE scoring.schedules SET last_occurrence = @occurrence, fired_at = now(), updated_at = now() WHERE model_name = @model
            """, new { model, occurrence }, session.Transaction, cancellationToken: cancellationToken));
}
