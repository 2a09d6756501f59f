using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>
/// A session's outbox rows are gathered and written in one statement before it commits, then sent a batch at a time with
/// the broker's confirms in flight together: every row must still land in publish order, with its own headers and ids,
/// and be delivered exactly once.
/// </summary>
public sealed class When_a_session_publishes_many_messages(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private const int Count = 250;
    private WebApplication? _host;

    public async Task InitializeAsync() =>
        _host = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<OrderPlacedConsumer>(),
            new Dictionary<string, string?> { ["Messaging:Outbox:BatchSize"] = "40" });

    [Fact]
    public async Task They_are_written_in_order_and_each_delivered_once()
    {
        var orders = Enumerable.Range(0, Count).Select(_ => Guid.NewGuid()).ToArray();
        var correlation = Guid.NewGuid();
        await using (var scope = _host!.Services.CreateAsyncScope())
        {
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync();
            var publisher = scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session);
            for (var i = 0; i < Count; i++)
            {
                var quantity = i;
                // Every other row carries a correlation id and a header of its own: nullable columns and headers per row.
                await publisher.Publish(new OrderPlaced { OrderId = orders[i], Quantity = quantity }, context =>
                {
                    if (quantity % 2 == 0)
                    {
                        context.CorrelationId = correlation;
                        context.Headers.Set("x-position", quantity);
                    }
                });
            }
            await session.CommitAsync();
        }

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(DISTINCT order_id) FROM hosting_tests.order_events WHERE order_id = ANY(@orders)", new { orders }), n => n == Count,
            "every order's event downstream");
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NULL"), n => n == 0, "every row stamped delivered");

        Assert.Equal(Count, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = ANY(@orders)", new { orders }));
        var written = (await environment.Database.QueryAsync<(string Body, Guid? CorrelationId, string? Headers)>(
            "SELECT body, correlation_id, headers FROM messaging.outbox WHERE producer = 'orders' AND message_type LIKE '%OrderPlaced%' ORDER BY sequence_number")).ToList();
        Assert.Equal(Count, written.Count);
        for (var i = 0; i < Count; i++)
        {
            Assert.Contains(orders[i].ToString(), written[i].Body);
            Assert.Equal(i % 2 == 0 ? correlation : null, written[i].CorrelationId);
            Assert.Equal(i % 2 == 0, written[i].Headers?.Contains("x-position") == true);
        }
    }

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}
