using Dapper;
using MassTransit;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Hosting.Sagas;

/// <summary>
/// The SQL behind the saga repository, with optimistic concurrency: every update names the version it read,
/// and zero rows updated (or a duplicate insert) raises MassTransit's <see cref="ConcurrencyException"/>,
/// which the retry policy answers by reloading the instance and running the event again.
/// Within a message's session the load goes with the statements queued before it (the inbox row) and the new state is queued
/// to go with the outbox rows just before commit: a transition takes three round trips (inbox and load, state and outbox,
/// commit) rather than five. The version check still runs in the transaction, before the commit.
/// </summary>
public sealed class PostgresSagaStore<TSaga>(PostgresSagaTable<TSaga> table)
    where TSaga : class, ISagaVersion
{
    // The statements are built once per saga table, not per message.
    private readonly string _selectSql = $"SELECT data::text, version FROM {table.QuotedName} WHERE correlation_id = @CorrelationId";
    private readonly string _insertSql = $"""
        INSERT INTO {table.QuotedName} (correlation_id, current_state, version, data)
        VALUES (@CorrelationId, @CurrentState, @Version, @Data::jsonb)
        """;
    private readonly string _updateSql = $"""
        UPDATE {table.QuotedName}
        SET current_state = @CurrentState, version = @NewVersion, data = @Data::jsonb, updated_at = now()
        WHERE correlation_id = @CorrelationId AND version = @ReadVersion
        """;
    private readonly string _deleteSql = $"DELETE FROM {table.QuotedName} WHERE correlation_id = @CorrelationId AND version = @Version";

    public async Task<TSaga?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid correlationId, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<(string Data, int Version)?>(new CommandDefinition(
            _selectSql,
            new { CorrelationId = correlationId }, transaction, cancellationToken: cancellationToken));
        if (row is null)
            return null;

        var saga = table.Deserialize(row.Value.Data);
        saga.Version = row.Value.Version;
        return saga;
    }

    /// <summary>Loads the instance in the session's transaction, in one round trip with the statements queued before it.</summary>
    public Task<TSaga?> LoadAsync(DbSession session, Guid correlationId, CancellationToken cancellationToken)
    {
        var query = new NpgsqlBatchCommand(_selectSql)
        {
            Parameters = { new NpgsqlParameter("CorrelationId", correlationId) },
        };
        return session.QueryAsync(query, async (reader, token) =>
        {
            if (!await reader.ReadAsync(token))
                return null;
            var saga = table.Deserialize(reader.GetString(0));
            saga.Version = reader.GetInt32(1);
            return saga;
        }, cancellationToken);
    }

    /// <summary>Queues the new instance's insert to go with the session's writes before commit.</summary>
    public void EnqueueInsert(DbSession session, TSaga saga)
    {
        saga.Version = 1;
        var statement = new NpgsqlBatchCommand(_insertSql)
        {
            Parameters =
            {
                new NpgsqlParameter("CorrelationId", saga.CorrelationId),
                new NpgsqlParameter("CurrentState", (object?)table.CurrentStateOf(saga) ?? DBNull.Value),
                new NpgsqlParameter("Version", saga.Version),
                new NpgsqlParameter("Data", table.Serialize(saga)),
            },
        };
        session.Enqueue(statement, failed: exception => exception.SqlState == PostgresErrorCodes.UniqueViolation
            ? CreatedConcurrently(saga, exception)
            : null);
    }

    /// <summary>Queues the update to go with the session's writes before commit; zero rows updated then is a concurrency conflict.</summary>
    public void EnqueueUpdate(DbSession session, TSaga saga)
    {
        var readVersion = saga.Version;
        saga.Version = readVersion + 1;
        var statement = new NpgsqlBatchCommand(_updateSql)
        {
            Parameters =
            {
                new NpgsqlParameter("CorrelationId", saga.CorrelationId),
                new NpgsqlParameter("CurrentState", (object?)table.CurrentStateOf(saga) ?? DBNull.Value),
                new NpgsqlParameter("NewVersion", saga.Version),
                new NpgsqlParameter("ReadVersion", readVersion),
                new NpgsqlParameter("Data", table.Serialize(saga)),
            },
        };
        session.Enqueue(statement, completed: done =>
        {
            if (done.RecordsAffected != 0)
                return;
            saga.Version = readVersion;
            throw new ConcurrencyException(
                $"Saga {saga.CorrelationId} in {table.Name} changed since version {readVersion} was read.", typeof(TSaga), saga.CorrelationId);
        });
    }

    /// <summary>Queues the delete to go with the session's writes before commit; zero rows deleted then is a concurrency conflict.</summary>
    public void EnqueueDelete(DbSession session, TSaga saga)
    {
        var statement = new NpgsqlBatchCommand(_deleteSql)
        {
            Parameters = { new NpgsqlParameter("CorrelationId", saga.CorrelationId), new NpgsqlParameter("Version", saga.Version) },
        };
        session.Enqueue(statement, completed: done =>
        {
            if (done.RecordsAffected == 0)
                throw new ConcurrencyException(
                    $"Saga {saga.CorrelationId} in {table.Name} changed since version {saga.Version} was read.", typeof(TSaga), saga.CorrelationId);
        });
    }

    public async Task InsertAsync(DbSession session, TSaga saga, CancellationToken cancellationToken)
    {
        saga.Version = 1;
        try
        {
            await session.Connection.ExecuteAsync(new CommandDefinition(_insertSql,
                new { saga.CorrelationId, CurrentState = table.CurrentStateOf(saga), saga.Version, Data = table.Serialize(saga) },
                session.Transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            saga.Version = 0;
            throw CreatedConcurrently(saga, exception);
        }
    }

    private ConcurrencyException CreatedConcurrently(TSaga saga, PostgresException exception) =>
        new($"Saga {saga.CorrelationId} was created concurrently in {table.Name}.", typeof(TSaga), saga.CorrelationId, exception);
}
