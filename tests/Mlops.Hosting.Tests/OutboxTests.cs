using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_consumer_commits_and_the_process_dies_before_publishing(TestEnvironment environment)
    : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _downstream;
    private WebApplication? _orders;

    public async Task InitializeAsync() =>
        _downstream = await HostingTestHost.StartAsync(environment, "downstream", bus => bus.AddConsumer<OrderPlacedConsumer>());

    [Fact]
    public async Task The_event_is_delivered_exactly_once_after_restart()
    {
        var orderId = Guid.NewGuid();

        // The first instance commits its work and its outbox row but never sends it: its dispatcher is off, as if it died right after commit.
        var crashed = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<PlaceOrderConsumer>(),
            new Dictionary<string, string?> { ["Messaging:Outbox:DispatcherEnabled"] = "false" });
        await crashed.Services.GetRequiredService<IBus>().Publish(new PlaceOrder { OrderId = orderId, Quantity = 3 });
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NULL AND body LIKE '%' || @id || '%'",
            new { id = orderId.ToString() }), n => n == 1, "the committed, unsent outbox row");
        await crashed.StopQuietlyAsync();
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @orderId", new { orderId }));

        _orders = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<PlaceOrderConsumer>());

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @orderId", new { orderId }), n => n >= 1, "OrderPlaced downstream");
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NOT NULL AND body LIKE '%' || @id || '%'",
            new { id = orderId.ToString() }), n => n == 1, "the row stamped delivered");

        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.orders WHERE order_id = @orderId", new { orderId }));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @orderId", new { orderId }));
    }

    [Fact]
    public async Task A_send_repeated_after_a_crash_before_the_delivered_stamp_changes_nothing_downstream()
    {
        _orders = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<PlaceOrderConsumer>());
        var orderId = Guid.NewGuid();
        await _orders.Services.GetRequiredService<IBus>().Publish(new PlaceOrder { OrderId = orderId, Quantity = 1 });
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @orderId", new { orderId }), n => n == 1, "the first delivery");
        var acknowledgedBefore = await Eventually.WaitAsync(() => environment.Broker.AcknowledgedAsync(environment.VirtualHost, "order-placed"),
            n => n >= 1, "the first delivery acknowledged");

        // The broker confirmed the send but the process died before stamping the row: the dispatcher sends it again, same MessageId.
        await environment.Database.ExecuteAsync(
            "UPDATE messaging.outbox SET delivered_at = NULL WHERE producer = 'orders' AND body LIKE '%' || @orderId || '%'", new { orderId = orderId.ToString() });

        await Eventually.WaitAsync(() => environment.Broker.AcknowledgedAsync(environment.VirtualHost, "order-placed"),
            n => n >= acknowledgedBefore + 1, "the repeated delivery acknowledged");
        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @orderId", new { orderId }));
    }

    public async Task DisposeAsync()
    {
        await _orders.StopQuietlyAsync();
        await _downstream.StopQuietlyAsync();
    }
}

public sealed class When_a_message_is_delivered_twice(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _host;

    public async Task InitializeAsync() =>
        _host = await HostingTestHost.StartAsync(environment, "orders", bus =>
        {
            bus.AddConsumer<PlaceOrderConsumer>();
            bus.AddConsumer<OrderPlacedConsumer>();
        });

    [Fact]
    public async Task It_writes_once_and_publishes_once()
    {
        var orderId = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        var bus = _host!.Services.GetRequiredService<IBus>();

        await bus.Publish(new PlaceOrder { OrderId = orderId, Quantity = 2 }, context => context.MessageId = messageId);
        await bus.Publish(new PlaceOrder { OrderId = orderId, Quantity = 2 }, context => context.MessageId = messageId);

        await Eventually.WaitAsync(() => environment.Broker.AcknowledgedAsync(environment.VirtualHost, "place-order"), n => n >= 2,
            "both deliveries acknowledged");
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @orderId", new { orderId }), n => n == 1, "the event downstream");

        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.orders WHERE order_id = @orderId", new { orderId }));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE message_type LIKE '%OrderPlaced%' AND body LIKE '%' || @orderId || '%'", new { orderId = orderId.ToString() }));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.inbox WHERE message_id = @messageId", new { messageId }));
    }

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}
