using MassTransit;
using MassTransit.Saga;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Hosting.Sagas;

/// <summary>
/// MassTransit's saga repository contract over PostgreSQL. It works inside the message's <see cref="DbSession"/>,
/// so the saga's new state, the messages it publishes (outbox) and the deadlines it sets commit as one transaction.
/// Instances are found by CorrelationId only: correlate events by id (expression queries are not supported).
/// </summary>
public sealed class PostgresSagaRepositoryContextFactory<TSaga>(
    DbSession session,
    NpgsqlDataSource dataSource,
    PostgresSagaStore<TSaga> store,
    ISagaConsumeContextFactory<DbSession, TSaga> factory)
    : ISagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISagaVersion
{
    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        // Normally the transactional filter has begun the session; a saga endpoint without it still gets a transaction of its own.
        var ownsTransaction = !session.IsActive;
        if (ownsTransaction)
            await session.BeginAsync(context.CancellationToken);

        try
        {
            await next.Send(new PostgresSagaRepositoryContext<TSaga, T>(session, store, context, factory));
            if (ownsTransaction)
                await session.CommitAsync(context.CancellationToken);
        }
        catch when (ownsTransaction)
        {
            await session.RollbackAsync(CancellationToken.None);
            throw;
        }
    }

    public Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class =>
        throw new NotSupportedException(
            $"The PostgreSQL saga repository finds {TypeCache<TSaga>.ShortName} instances by CorrelationId only; correlate {TypeCache<T>.ShortName} by id.");

    public async Task<T> Execute<T>(Func<LoadSagaRepositoryContext<TSaga>, Task<T>> asyncMethod, CancellationToken cancellationToken = default)
        where T : class
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await asyncMethod(new LoadContext(connection, store, cancellationToken));
    }

    public void Probe(ProbeContext context) => context.Add("persistence", "postgresql");

    private sealed class LoadContext(NpgsqlConnection connection, PostgresSagaStore<TSaga> store, CancellationToken cancellationToken)
        : MassTransit.Middleware.BasePipeContext(cancellationToken), LoadSagaRepositoryContext<TSaga>
    {
        public async Task<TSaga> Load(Guid correlationId) => (await store.LoadAsync(connection, null, correlationId, CancellationToken))!;
    }
}
