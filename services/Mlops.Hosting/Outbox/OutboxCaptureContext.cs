using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Scheduling;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// The consume context a transactional consumer or saga sees: every Publish, Send, Respond and scheduled message
/// becomes an outbox row in the message's database transaction instead of going straight to the broker.
/// Faults are not captured: they go out through the original context even when the transaction rolls back.
/// </summary>
public sealed class OutboxCaptureContext<TMessage> : ConsumeContextProxy<TMessage>, OutboxSendContext
    where TMessage : class
{
    private readonly DbSession _session;
    private readonly OutboxWriter _writer;
    private readonly IServiceProvider _provider;

    public OutboxCaptureContext(ConsumeContext<TMessage> context, DbSession session, OutboxWriter writer, IServiceProvider provider, IBusTopology topology)
        : base(context)
    {
        _session = session;
        _writer = writer;
        _provider = provider;

        var receiveContext = new OutboxReceiveContext(this, context.ReceiveContext);
        ReceiveContext = receiveContext;
        PublishEndpointProvider = receiveContext.PublishEndpointProvider;

        MessageSchedulerFactory schedulerFactory = consumeContext =>
            new MessageScheduler(new OutboxScheduleMessageProvider(consumeContext, session), topology);
        context.AddOrUpdatePayload<MessageSchedulerContext>(
            () => new ConsumeMessageSchedulerContext(this, schedulerFactory),
            _ => new ConsumeMessageSchedulerContext(this, schedulerFactory));
    }

    public Task AddSend<T>(SendContext<T> context)
        where T : class =>
        _writer.AddAsync(_session, context);

    public object? GetService(Type serviceType) => _provider.GetService(serviceType);
}
