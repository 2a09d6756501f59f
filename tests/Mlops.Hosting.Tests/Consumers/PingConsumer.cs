using MassTransit;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Consumers;

public sealed class PingConsumer : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context) => context.Publish(new Pong { PingId = context.Message.PingId });
}
