using Dapper;
using MassTransit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Consumers;

/// <summary>Writes a row and publishes an event: the shape of every Mlops worker.</summary>
public sealed class PlaceOrderConsumer(DbSession session) : IConsumer<PlaceOrder>
{
    public async Task Consume(ConsumeContext<PlaceOrder> context)
    {
        if (context.Message.Quantity <= 0)
            throw new UnrecoverableMessageException($"Order {context.Message.OrderId} has quantity {context.Message.Quantity}; it must be positive.");

        await session.Connection.ExecuteAsync(
            "INSERT INTO hosting_tests.orders (order_id, quantity) VALUES (@OrderId, @Quantity)",
            context.Message, session.Transaction);

        await context.Publish(new OrderPlaced { OrderId = context.Message.OrderId, Quantity = context.Message.Quantity });
    }
}
