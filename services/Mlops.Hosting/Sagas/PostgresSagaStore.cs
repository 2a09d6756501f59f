using Dapper;
using MassTransit;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Hosting.Sagas;

/// <summary>
/// The SQL behind the saga repository, with optimistic concurrency: every update names the version it read,
/// and zero rows updated (or a duplicate insert) raises MassTransit's <see cref="ConcurrencyException"/>,
/// which the retry policy answers by reloading the instance and running the event again.
/// </summary>
public sealed class PostgresSagaStore<TSaga>(PostgresSagaTable<TSaga> table)
    where TSaga : class, ISagaVersion
{
    public async Task<TSaga?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid correlationId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Data, int Version)?>(new CommandDefinition(
            $"SELECT data::text, version FROM {table.QuotedName} WHERE correlation_id = @CorrelationId",
            new { CorrelationId = correlationId }, transaction, cancellationToken: cancellationToken));
        if (row is null)
            return null;

        var saga = table.Deserialize(row.Value.Data);
        saga.Version = row.Value.Version;
        return saga;
    }

    public async Task InsertAsync(DbSession session, TSaga saga, CancellationToken cancellationToken)
    {
        saga.Version = 1;
        try
        {
            await session.Connection.ExecuteAsync(new CommandDefinition($"""
                INSERT INTO {table.QuotedName} (correlation_id, current_state, version, data)
                VALUES (@CorrelationId, @CurrentState, @Version, @Data::jsonb)
                """,
                new { saga.CorrelationId, CurrentState = table.CurrentStateOf(saga), saga.Version, Data = table.Serialize(saga) },
                session.Transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            saga.Version = 0;
            throw new ConcurrencyException($"Saga {saga.CorrelationId} was created concurrently in {table.Name}.", typeof(TSaga), saga.CorrelationId, exception);
        }
    }

    public async Task UpdateAsync(DbSession session, TSaga saga, CancellationToken cancellationToken)
    {
        var readVersion = saga.Version;
        saga.Version = readVersion + 1;
        var updated = await session.Connection.ExecuteAsync(new CommandDefinition($"""
            UPDATE {table.QuotedName}
            SET current_state = @CurrentState, version = @NewVersion, data = @Data::jsonb, updated_at = now()
            WHERE correlation_id = @CorrelationId AND version = @ReadVersion
            """,
            new { saga.CorrelationId, CurrentState = table.CurrentStateOf(saga), NewVersion = saga.Version, ReadVersion = readVersion, Data = table.Serialize(saga) },
            session.Transaction, cancellationToken: cancellationToken));

        if (updated == 0)
        {
            saga.Version = readVersion;
            throw new ConcurrencyException(
                $"Saga {saga.CorrelationId} in {table.Name} changed since version {readVersion} was read.", typeof(TSaga), saga.CorrelationId);
        }
    }

    public async Task DeleteAsync(DbSession session, TSaga saga, CancellationToken cancellationToken)
    {
        var deleted = await session.Connection.ExecuteAsync(new CommandDefinition(
            $"DELETE FROM {table.QuotedName} WHERE correlation_id = @CorrelationId AND version = @Version",
            new { saga.CorrelationId, saga.Version }, session.Transaction, cancellationToken: cancellationToken));

        if (deleted == 0)
            throw new ConcurrencyException(
                $"Saga {saga.CorrelationId} in {table.Name} changed since version {saga.Version} was read.", typeof(TSaga), saga.CorrelationId);
    }
}
