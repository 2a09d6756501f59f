using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_an_outbox_row_can_never_be_sent(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _writer;
    private WebApplication? _orders;

    public async Task InitializeAsync() =>
        _writer = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<OrderPlacedConsumer>(),
            new Dictionary<string, string?> { ["Messaging:Outbox:DispatcherEnabled"] = "false" });

    [Fact]
    public async Task It_is_parked_with_its_reason_and_the_rows_behind_it_are_delivered()
    {
        var orders = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        foreach (var orderId in orders)
            await OutboxTestRows.PublishAsync(_writer!, new OrderPlaced { OrderId = orderId, Quantity = 1 });
        await environment.Database.ExecuteAsync(
            "UPDATE messaging.outbox SET headers = '{ not json' WHERE producer = 'orders' AND body LIKE '%' || @poison || '%'",
            new { poison = orders[0].ToString() });
        await environment.Database.ExecuteAsync(
            "UPDATE messaging.outbox SET destination_address = 'not an address' WHERE producer = 'orders' AND body LIKE '%' || @poison || '%'",
            new { poison = orders[1].ToString() });

        _orders = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<OrderPlacedConsumer>());

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @good", new { good = orders[2] }), n => n == 1, "the row behind the poison delivered");
        // The parks commit with the batch's delivered stamps, after the broker confirmed the good row: its consumer can be
        // first, so the parked rows are waited for too.
        var parked = await Eventually.WaitAsync(() => environment.Database.QueryAsync<(string Body, string LastError)>(
                "SELECT body, last_error FROM messaging.outbox WHERE producer = 'orders' AND parked_at IS NOT NULL AND delivered_at IS NULL ORDER BY sequence_number"),
            rows => rows.Count == 2, "both poison rows parked");
        Assert.Contains(orders[0].ToString(), parked[0].Body);
        Assert.Contains("Json", parked[0].LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(orders[1].ToString(), parked[1].Body);
        Assert.Contains("not an absolute address", parked[1].LastError);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = ANY(@poison)", new { poison = orders[..2] }));
    }

    public async Task DisposeAsync()
    {
        await _orders.StopQuietlyAsync();
        await _writer.StopQuietlyAsync();
    }
}

public sealed class When_the_broker_is_unreachable_longer_than_the_old_give_up(TestEnvironment environment)
    : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private const int OldGiveUp = 20;
    private WebApplication? _orders;

    public async Task InitializeAsync() =>
        _orders = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<OrderPlacedConsumer>(),
            new Dictionary<string, string?>
            {
                ["Messaging:Outbox:SendTimeout"] = "00:00:00.300",
                ["Messaging:Outbox:RetryInitial"] = "00:00:00.020",
                ["Messaging:Outbox:RetryMax"] = "00:00:00.100",
            });

    [Fact]
    public async Task Nothing_is_parked_and_everything_is_delivered_once_it_is_back()
    {
        var warmUp = Guid.NewGuid();
        await OutboxTestRows.PublishAsync(_orders!, new OrderPlaced { OrderId = warmUp, Quantity = 1 });
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.order_events WHERE order_id = @warmUp", new { warmUp }), n => n == 1, "the queue to be declared and used");

        await environment.Broker.StartOutageAsync(environment.VirtualHost);
        var orders = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var orderId in orders)
            await OutboxTestRows.PublishAsync(_orders!, new OrderPlaced { OrderId = orderId, Quantity = 1 });

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<int>(
            "SELECT coalesce(max(attempts), 0) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NULL"),
            n => n > OldGiveUp + 5, "more failed attempts than the old give-up", TimeSpan.FromSeconds(120));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE parked_at IS NOT NULL"));

        await environment.Broker.GrantPermissionsAsync(environment.VirtualHost);

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(DISTINCT order_id) FROM hosting_tests.order_events WHERE order_id = ANY(@orders)", new { orders }),
            n => n == orders.Length, "every event consumed after the outage", TimeSpan.FromSeconds(120));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND (delivered_at IS NULL OR parked_at IS NOT NULL)"));
    }

    public Task DisposeAsync() => _orders.StopQuietlyAsync();
}

/// <summary>Writes outbox rows the way a service's HTTP handler does, through <see cref="OutboxPublisher"/>.</summary>
internal static class OutboxTestRows
{
    public static async Task PublishAsync<T>(WebApplication host, T message)
        where T : class
    {
        await using var scope = host.Services.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync();
        await scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session).Publish(message);
        await session.CommitAsync();
    }
}
