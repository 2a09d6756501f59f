using MassTransit;
using MassTransit.Context;
using MassTransit.Saga;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Sagas;

public sealed class PostgresSagaRepositoryContext<TSaga, TMessage> : ConsumeContextScope<TMessage>, SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISagaVersion
    where TMessage : class
{
    private readonly DbSession _session;
    private readonly PostgresSagaStore<TSaga> _store;
    private readonly ConsumeContext<TMessage> _context;
    private readonly ISagaConsumeContextFactory<DbSession, TSaga> _factory;

    public PostgresSagaRepositoryContext(DbSession session, PostgresSagaStore<TSaga> store, ConsumeContext<TMessage> context,
        ISagaConsumeContextFactory<DbSession, TSaga> factory)
        : base(context, session)
    {
        _session = session;
        _store = store;
        _context = context;
        _factory = factory;
    }

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> consumeContext, TSaga instance, SagaConsumeContextMode mode)
        where T : class =>
        _factory.CreateSagaConsumeContext(_session, consumeContext, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        _factory.CreateSagaConsumeContext(_session, _context, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        await _store.InsertAsync(_session, instance, CancellationToken);
        return await _factory.CreateSagaConsumeContext(_session, _context, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await _store.LoadAsync(_session, correlationId, CancellationToken);
        return instance is null
            ? null!
            : await _factory.CreateSagaConsumeContext(_session, _context, instance, SagaConsumeContextMode.Load);
    }

    // The new state goes to the server with the outbox rows, just before commit (one round trip for both).
    public Task Save(SagaConsumeContext<TSaga> context)
    {
        _store.EnqueueInsert(_session, context.Saga);
        return Task.CompletedTask;
    }

    public Task Update(SagaConsumeContext<TSaga> context)
    {
        _store.EnqueueUpdate(_session, context.Saga);
        return Task.CompletedTask;
    }

    public Task Delete(SagaConsumeContext<TSaga> context)
    {
        _store.EnqueueDelete(_session, context.Saga);
        return Task.CompletedTask;
    }

    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;

    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;
}
