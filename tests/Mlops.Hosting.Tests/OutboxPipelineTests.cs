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
/// The dispatcher claims the next batch while the previous batches' confirms are in flight, each batch in a transaction of its
/// own that holds its rows locked until it stamps them. Two instances of the service drain one backlog side by side: each row
/// is sent once (the broker acknowledges exactly as many messages as rows), every row is stamped, and one process had more
/// than one batch open at once.
/// </summary>
public sealed class When_batches_are_in_flight_together(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private const int Count = 2_000;
    private WebApplication? _downstream;
    private WebApplication? _writer;
    private WebApplication? _first;
    private WebApplication? _second;

    public async Task InitializeAsync() => (_downstream, _writer) = await OutboxBacklog.StartAsync(environment);

    [Fact]
    public async Task Each_row_is_sent_once_and_stamped()
    {
        var orders = await OutboxBacklog.WriteAsync(_writer!, Count);
        var settings = new Dictionary<string, string?> { ["Messaging:Outbox:BatchSize"] = "10", ["Messaging:Outbox:MaxBatchesInFlight"] = "4" };

        // One dispatcher first: while it drains, its batches awaiting confirms sit idle in their transactions after the claim.
        _first = await HostingTestHost.StartAsync(environment, "orders", _ => { }, settings);
        var mostOpen = 0L;
        var watching = System.Diagnostics.Stopwatch.StartNew();
        while (watching.Elapsed < TimeSpan.FromSeconds(120) && await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NULL") > Count / 2)
        {
            mostOpen = Math.Max(mostOpen, await environment.Database.ScalarAsync<long>("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND state = 'idle in transaction' AND query LIKE '%FOR UPDATE SKIP LOCKED%'
                """));
        }
        // A second instance joins: both claim from the same rows, skipping each other's locked batches.
        _second = await HostingTestHost.StartAsync(environment, "orders", _ => { }, settings);

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NULL"), n => n == 0,
            "every row stamped delivered", TimeSpan.FromSeconds(120));
        await OutboxBacklog.AssertEachSentOnceAsync(environment, orders);
        Assert.True(mostOpen >= 2, $"one dispatcher had {mostOpen} batch(es) open at once; expected several in flight together");
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.outbox WHERE parked_at IS NOT NULL"));
    }

    public async Task DisposeAsync()
    {
        await _second.StopQuietlyAsync();
        await _first.StopQuietlyAsync();
        await _writer.StopQuietlyAsync();
        await _downstream.StopQuietlyAsync();
    }
}

/// <summary>
/// A graceful stop in the middle of a drain, with batches' confirms in flight: every batch in flight still awaits its confirms
/// and stamps what the broker confirmed, so the next start sends only what was never sent (the broker acknowledges exactly
/// as many messages as rows).
/// </summary>
public sealed class When_the_host_stops_while_confirms_are_in_flight(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private const int Count = 5_000;
    private WebApplication? _downstream;
    private WebApplication? _writer;
    private WebApplication? _orders;

    public async Task InitializeAsync() => (_downstream, _writer) = await OutboxBacklog.StartAsync(environment);

    [Fact]
    public async Task What_was_sent_is_stamped_and_not_sent_again()
    {
        var orders = await OutboxBacklog.WriteAsync(_writer!, Count);
        var settings = new Dictionary<string, string?> { ["Messaging:Outbox:BatchSize"] = "20", ["Messaging:Outbox:MaxBatchesInFlight"] = "4" };

        var stopping = await HostingTestHost.StartAsync(environment, "orders", _ => { }, settings);
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NOT NULL"), n => n > 0, "the drain under way");
        await stopping.StopQuietlyAsync();

        var stamped = await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND delivered_at IS NOT NULL");
        Assert.InRange(stamped, 1, Count - 1);
        // pg_stat_activity shows a closing backend for a moment after the stop; a transaction the stop left open stays.
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND state LIKE 'idle in transaction%' AND query LIKE '%messaging.outbox%'
            """), open => open == 0, "no outbox transaction left open by the stop", TimeSpan.FromSeconds(10));

        _orders = await HostingTestHost.StartAsync(environment, "orders", _ => { }, settings);
        await OutboxBacklog.AssertEachSentOnceAsync(environment, orders);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'orders' AND (delivered_at IS NULL OR parked_at IS NOT NULL)"));
    }

    public async Task DisposeAsync()
    {
        await _orders.StopQuietlyAsync();
        await _writer.StopQuietlyAsync();
        await _downstream.StopQuietlyAsync();
    }
}

/// <summary>A backlog of OrderPlaced outbox rows for a dispatcher to drain, and the check that each was sent once.</summary>
internal static class OutboxBacklog
{
    /// <summary>The consumer of OrderPlaced, and an "orders" instance that writes outbox rows but does not send them.</summary>
    public static async Task<(WebApplication Downstream, WebApplication Writer)> StartAsync(TestEnvironment environment)
    {
        var downstream = await HostingTestHost.StartAsync(environment, "downstream", bus => bus.AddConsumer<OrderPlacedConsumer>());
        var writer = await HostingTestHost.StartAsync(environment, "orders", _ => { },
            new Dictionary<string, string?> { ["Messaging:Outbox:DispatcherEnabled"] = "false" });
        return (downstream, writer);
    }

    /// <summary>
    /// Every order's event arrived downstream and the broker acknowledged exactly as many messages as orders: a row sent
    /// twice would be dropped by the inbox, but counted here.
    /// </summary>
    public static async Task AssertEachSentOnceAsync(TestEnvironment environment, Guid[] orders)
    {
        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(DISTINCT order_id) FROM hosting_tests.order_events WHERE order_id = ANY(@orders)", new { orders }), n => n == orders.Length,
            "every order's event downstream", TimeSpan.FromSeconds(120));
        var acknowledged = await Eventually.WaitAsync(() => environment.Broker.AcknowledgedAsync(environment.VirtualHost, "order-placed"),
            n => n >= orders.Length, "every delivery acknowledged", TimeSpan.FromSeconds(60));
        Assert.Equal(orders.Length, acknowledged);
    }

    /// <summary>Commits <paramref name="count"/> OrderPlaced outbox rows, 500 to a transaction.</summary>
    public static async Task<Guid[]> WriteAsync(WebApplication host, int count)
    {
        var orders = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToArray();
        foreach (var chunk in orders.Chunk(500))
        {
            await using var scope = host.Services.CreateAsyncScope();
            var session = scope.ServiceProvider.GetRequiredService<DbSession>();
            await session.BeginAsync();
            var publisher = scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session);
            foreach (var orderId in chunk)
                await publisher.Publish(new OrderPlaced { OrderId = orderId, Quantity = 1 });
            await session.CommitAsync();
        }
        return orders;
    }
}
