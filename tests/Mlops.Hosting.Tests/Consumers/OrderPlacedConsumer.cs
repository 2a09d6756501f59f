using Dapper;
using MassTransit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Tests.Messages;

namespace Mlops.Hosting.Tests.Consumers;

/// <summary>Downstream of <see cref="PlaceOrderConsumer"/>: one row per event it processed.</summary>
public sealed class OrderPlacedConsumer(DbSession session) : IConsumer<OrderPlaced>
{
    public Task Consume(ConsumeContext<OrderPlaced> context) =>
        session.Connection.ExecuteAsync(
            "INSERT INTO hosting_tests.order_events (message_id, order_id) VALUES (@MessageId, @OrderId)",
            new { MessageId = context.MessageId!.Value, context.Message.OrderId }, session.Transaction);
}
