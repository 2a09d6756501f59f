using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.DeadLetters;
using Mlops.Hosting.Messaging;
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
    public async Task One_that_cannot_be_deserialised_is_dead_lettered_with_the_reason_and_the_next_one_is_processed()
    {
        await environment.Broker.PublishRawAsync(environment.VirtualHost, "place-order", "", "{ this is not json",
            new Dictionary<string, object> { ["MT-Test"] = "malformed" });
        var orderId = Guid.NewGuid();
        await _host!.Services.GetRequiredService<IBus>().Publish(new PlaceOrder { OrderId = orderId, Quantity = 1 });

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.orders WHERE order_id = @orderId", new { orderId }), n => n == 1, "the good order after the bad one");
        var bad = (await Eventually.WaitAsync(() => DeadLettersAsync("headers->>'MT-Test' = 'malformed'"), m => m.Count == 1,
            "the malformed message in messaging.dead_letters")).Single();

        Assert.Equal("{ this is not json", bad.Body);
        Assert.Equal("place-order", bad.Queue);
        Assert.False(string.IsNullOrWhiteSpace(bad.Reason));
    }

    [Fact]
    public async Task One_that_breaks_a_rule_is_not_retried_and_its_dead_letter_says_why()
    {
        var orderId = Guid.NewGuid();
        await _host!.Services.GetRequiredService<IBus>().Publish(new PlaceOrder { OrderId = orderId, Quantity = -4 });

        var entry = (await Eventually.WaitAsync(() => DeadLettersAsync("body LIKE '%' || @marker || '%'", orderId), m => m.Count == 1,
            "the invalid order in messaging.dead_letters")).Single();

        Assert.Contains("must be positive", entry.Reason);
        Assert.Equal(0, entry.Redeliveries);
        Assert.Equal(typeof(UnrecoverableMessageException).FullName, entry.ExceptionType);
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM hosting_tests.orders WHERE order_id = @orderId", new { orderId }));
    }

    private Task<IReadOnlyList<DeadLetter>> DeadLettersAsync(string where, Guid? marker = null) =>
        environment.Database.QueryAsync<DeadLetter>($"""
            SELECT id AS Id, queue AS Queue, reason AS Reason, exception_type AS ExceptionType, body AS Body, redeliveries AS Redeliveries
            FROM messaging.dead_letters WHERE {where}
            """, new { marker = marker?.ToString() });

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}
