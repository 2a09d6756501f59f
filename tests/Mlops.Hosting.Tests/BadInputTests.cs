using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_message_is_bad(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _host;

    public async Task InitializeAsync() =>
        _host = await HostingTestHost.StartAsync(environment, "orders", bus => bus.AddConsumer<PlaceOrderConsumer>());

    [Fact]
    public async Task One_that_cannot_be_deserialised_goes_to_the_error_queue_with_the_reason_and_the_next_one_is_processed()
    {
        await environment.Broker.PublishRawAsync(environment.VirtualHost, "place-order", "", "{ this is not json",
            new Dictionary<string, object> { ["MT-Test"] = "malformed" });
        var orderId = Guid.NewGuid();
        await _host!.Services.GetRequiredService<IBus>().Publish(new PlaceOrder { OrderId = orderId, Quantity = 1 });

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.orders WHERE order_id = @orderId", new { orderId }), n => n == 1, "the good order after the bad one");
        var errors = await Eventually.WaitAsync(() => environment.Broker.PeekAsync(environment.VirtualHost, "place-order_error"),
            m => m.Any(x => x.Header("MT-Test") == "malformed"), "the malformed message in place-order_error");

        var bad = errors.Single(x => x.Header("MT-Test") == "malformed");
        Assert.Equal("{ this is not json", bad.Payload);
        Assert.False(string.IsNullOrWhiteSpace(bad.Header("MT-Reason") ?? bad.Header("MT-Fault-Message")));
    }

    [Fact]
    public async Task One_that_breaks_a_rule_is_not_retried_and_its_error_entry_says_why()
    {
        var orderId = Guid.NewGuid();
        await _host!.Services.GetRequiredService<IBus>().Publish(new PlaceOrder { OrderId = orderId, Quantity = -4 });

        var errors = await Eventually.WaitAsync(() => environment.Broker.PeekAsync(environment.VirtualHost, "place-order_error"),
            m => m.Any(x => x.Payload.Contains(orderId.ToString())), "the invalid order in place-order_error");

        var entry = errors.Single(x => x.Payload.Contains(orderId.ToString()));
        Assert.Contains("must be positive", entry.Header("MT-Fault-Message"));
        Assert.Equal("0", entry.Header("MT-Fault-RetryCount") ?? "0");
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.orders WHERE order_id = @orderId", new { orderId }));
    }

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}
