using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Transports;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Publishing from outside a consumer (an HTTP request, a command-line tool, the upstream simulator) with the same
/// guarantee: messages published through <see cref="For"/> are outbox rows in the session's transaction.
/// </summary>
public sealed class OutboxPublisher(IBus bus, OutboxWriter writer, IServiceProvider provider)
{
    public IPublishEndpoint For(DbSession session) =>
        new PublishEndpoint(new OutboxPublishEndpointProvider(new SessionSendContext(session, writer, provider), bus));

    public ISendEndpointProvider SendEndpointsFor(DbSession session) =>
        new OutboxSendEndpointProvider(new SessionSendContext(session, writer, provider), bus);

    private sealed class SessionSendContext(DbSession session, OutboxWriter writer, IServiceProvider provider) : OutboxSendContext
    {
        public Task AddSend<T>(SendContext<T> context)
            where T : class =>
            writer.AddAsync(session, context);

        public object? GetService(Type serviceType) => provider.GetService(serviceType);
    }
}
