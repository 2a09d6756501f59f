using System.Data;
using Npgsql;

namespace Mlops.Hosting.Data;

/// <summary>
/// One connection and one transaction, shared by everything a message (or a request) does in the database:
/// the inbox row, the consumer's or saga's own writes and the outbox rows all commit or roll back together.
/// Scoped: MassTransit creates one scope per message, so the transactional filter, the consumer and the saga
/// repository all see the same session.
/// </summary>
public sealed class DbSession(NpgsqlDataSource dataSource) : IAsyncDisposable
{
    private readonly List<Action> _afterCommit = [];
    private readonly List<Func<CancellationToken, Task>> _beforeCommit = [];
    private readonly List<QueuedStatement> _queued = [];
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;

    public bool IsActive => _transaction is not null;

    public NpgsqlConnection Connection =>
        _connection ?? throw new InvalidOperationException("The database session has not begun: call BeginAsync first.");

    public NpgsqlTransaction Transaction =>
        _transaction ?? throw new InvalidOperationException("The database session has no open transaction: call BeginAsync first.");

    public async Task BeginAsync(CancellationToken cancellationToken = default, IsolationLevel isolation = IsolationLevel.ReadCommitted)
    {
        if (_transaction is not null)
            throw new InvalidOperationException("The database session already has an open transaction.");

        _connection ??= await dataSource.OpenConnectionAsync(cancellationToken);
        _transaction = await _connection.BeginTransactionAsync(isolation, cancellationToken);
    }

    /// <summary>Runs after a successful commit, e.g. to wake the outbox dispatcher.</summary>
    public void AfterCommit(Action action)
    {
        if (!_afterCommit.Contains(action))
            _afterCommit.Add(action);
    }

    /// <summary>
    /// Runs once, inside the transaction, before it commits (or at <see cref="FlushAsync"/>): writes gathered for one statement,
    /// e.g. the outbox rows of everything published in this session.
    /// </summary>
    public void BeforeCommit(Func<CancellationToken, Task> write)
    {
        if (!_beforeCommit.Contains(write))
            _beforeCommit.Add(write);
    }

    /// <summary>
    /// Queues a statement of this transaction to go to the server with the session's next batch (<see cref="QueryAsync{T}"/>,
    /// or the flush before commit) instead of on a round trip of its own. <paramref name="completed"/> sees its rows affected once
    /// the batch has run and may throw (a conflict); <paramref name="failed"/> may turn the server's refusal of this statement into
    /// another exception. Statements run in the order they were queued.
    /// </summary>
    public void Enqueue(NpgsqlBatchCommand statement, Action<NpgsqlBatchCommand>? completed = null, Func<PostgresException, Exception?>? failed = null)
    {
        _ = Transaction;
        _queued.Add(new QueuedStatement(statement, completed, failed));
    }

    /// <summary>
    /// Runs the queued statements and then <paramref name="query"/> in one round trip, and reads the query's rows with
    /// <paramref name="read"/>; the queued statements' checks run after it.
    /// </summary>
    public Task<T> QueryAsync<T>(NpgsqlBatchCommand query, Func<NpgsqlDataReader, CancellationToken, Task<T>> read, CancellationToken cancellationToken = default) =>
        RunQueuedAsync(query, async (batch, token) =>
        {
            await using var reader = await batch.ExecuteReaderAsync(token);
            return await read(reader, token);
        }, cancellationToken);

    /// <summary>Runs the gathered writes and the queued statements now, for a statement that must see them (e.g. one deleting outbox rows).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        while (_beforeCommit.Count > 0)
        {
            var write = _beforeCommit[0];
            _beforeCommit.RemoveAt(0);
            await write(cancellationToken);
        }

        if (_queued.Count > 0)
            await RunQueuedAsync(null, (batch, token) => batch.ExecuteNonQueryAsync(token), cancellationToken);
    }

    /// <summary>
    /// Sends the queued statements, then <paramref name="query"/> if any, as one batch run by <paramref name="execute"/>; a
    /// refusal of a queued statement becomes what its <c>failed</c> makes of it, and each one's <c>completed</c> check runs after.
    /// </summary>
    private async Task<T> RunQueuedAsync<T>(NpgsqlBatchCommand? query, Func<NpgsqlBatch, CancellationToken, Task<T>> execute,
        CancellationToken cancellationToken)
    {
        var statements = _queued.ToArray();
        _queued.Clear();
        await using var batch = new NpgsqlBatch(Connection, Transaction);
        foreach (var statement in statements)
            batch.BatchCommands.Add(statement.Command);
        if (query is not null)
            batch.BatchCommands.Add(query);
        T result;
        try
        {
            result = await execute(batch, cancellationToken);
        }
        catch (PostgresException exception) when (Translate(statements, exception) is { } translated)
        {
            throw translated;
        }
        foreach (var statement in statements)
            statement.Completed?.Invoke(statement.Command);
        return result;
    }

    private static Exception? Translate(QueuedStatement[] statements, PostgresException exception) =>
        statements.FirstOrDefault(s => ReferenceEquals(s.Command, exception.BatchCommand))?.Failed?.Invoke(exception);

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken);
        await Transaction.CommitAsync(cancellationToken);
        await _transaction!.DisposeAsync();
        _transaction = null;

        foreach (var action in _afterCommit)
            action();
        _afterCommit.Clear();
    }

    public async Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        if (_transaction is null)
            return;

        await _transaction.RollbackAsync(cancellationToken);
        await _transaction.DisposeAsync();
        _transaction = null;
        _afterCommit.Clear();
        _beforeCommit.Clear();
        _queued.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            // Disposing an uncommitted transaction rolls it back; a broken connection may throw here, which must not hide the original error.
            try { await _transaction.DisposeAsync(); } catch (NpgsqlException) { }
            _transaction = null;
        }

        if (_connection is not null)
        {
            await _connection.DisposeAsync();
            _connection = null;
        }
        _afterCommit.Clear();
        _beforeCommit.Clear();
        _queued.Clear();
    }

    private sealed record QueuedStatement(NpgsqlBatchCommand Command, Action<NpgsqlBatchCommand>? Completed, Func<PostgresException, Exception?>? Failed);
}
