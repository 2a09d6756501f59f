using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>Test settings: 1 immediate retry (2 attempts per delivery), redelivery intervals 200 ms and 500 ms.</summary>
public sealed class When_a_consumer_keeps_failing(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private const int AttemptsPerDelivery = 2;
    private const int Intervals = 2;
    private WebApplication? _host;

    public async Task InitializeAsync() =>
        _host = await HostingTestHost.StartAsync(environment, "flaky", bus => bus.AddConsumer<FlakyConsumer>(),
            new Dictionary<string, string?> { ["Messaging:Retry:Limit"] = "1", ["Messaging:Redelivery:HoldWhenDatabaseDown"] = "00:00:00.200" });

    [Fact]
    public async Task A_transient_failure_is_redelivered_past_the_last_interval_and_never_dead_lettered()
    {
        var flaky = new Flaky { FlakyId = Guid.NewGuid(), FailTimes = AttemptsPerDelivery * (Intervals + 2), Transient = true };
        await _host!.Services.GetRequiredService<IBus>().Publish(flaky);

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.flaky_done WHERE flaky_id = @FlakyId", flaky), n => n == 1, "the message consumed at last");

        Assert.Equal(flaky.FailTimes + 1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.flaky_attempts WHERE flaky_id = @FlakyId", flaky));
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.dead_letters WHERE body LIKE '%' || @id || '%'",
            new { id = flaky.FlakyId.ToString() }));
        Assert.Equal(Intervals + 2, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE producer = 'flaky' AND body LIKE '%' || @id || '%' AND headers LIKE '%" + MlopsHeaders.RedeliveryCount + "%'",
            new { id = flaky.FlakyId.ToString() }));
    }

    [Fact]
    public async Task Any_other_failure_is_dead_lettered_after_the_last_interval_with_its_redelivery_count()
    {
        var flaky = new Flaky { FlakyId = Guid.NewGuid(), FailTimes = int.MaxValue, Transient = false };
        await _host!.Services.GetRequiredService<IBus>().Publish(flaky);

        var letter = await Eventually.WaitAsync(() => environment.Database.QueryAsync<(string Reason, int Redeliveries, string Queue)>(
                "SELECT reason, redeliveries, queue FROM messaging.dead_letters WHERE body LIKE '%' || @id || '%'", new { id = flaky.FlakyId.ToString() }),
            found => found.Count == 1, "the dead letter");

        Assert.Equal(Intervals, letter[0].Redeliveries);
        Assert.Contains("broke", letter[0].Reason);
        Assert.Equal("flaky", letter[0].Queue);
        Assert.Equal(AttemptsPerDelivery * (Intervals + 1), await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.flaky_attempts WHERE flaky_id = @FlakyId", flaky));
    }

    [Fact]
    public async Task When_not_even_the_redelivery_can_be_written_the_message_goes_back_to_rabbitmq_and_is_not_lost()
    {
        var flaky = new Flaky { FlakyId = Guid.NewGuid(), FailTimes = AttemptsPerDelivery * 3, Transient = true };
        // The database refuses this message's redelivery rows the way a database that is shutting down refuses everything.
        await environment.Database.ExecuteAsync($$"""
            CREATE FUNCTION hosting_tests.refuse_{{flaky.FlakyId:N}}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.body LIKE '%{{flaky.FlakyId}}%' THEN
                    RAISE EXCEPTION 'the database is shutting down' USING ERRCODE = '57P03';
                END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER refuse_{{flaky.FlakyId:N}} BEFORE INSERT ON messaging.outbox
                FOR EACH ROW EXECUTE FUNCTION hosting_tests.refuse_{{flaky.FlakyId:N}}();
            """);
        await _host!.Services.GetRequiredService<IBus>().Publish(flaky);

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.flaky_attempts WHERE flaky_id = @FlakyId", flaky), n => n > AttemptsPerDelivery * 2,
            "the message handed back by RabbitMQ and attempted again");
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.dead_letters WHERE body LIKE '%' || @id || '%'",
            new { id = flaky.FlakyId.ToString() }));
        await environment.Database.ExecuteAsync($"DROP TRIGGER refuse_{flaky.FlakyId:N} ON messaging.outbox");

        await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM hosting_tests.flaky_done WHERE flaky_id = @FlakyId", flaky), n => n == 1, "the message consumed once the database is back");
        Assert.Equal(0, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.dead_letters WHERE body LIKE '%' || @id || '%'",
            new { id = flaky.FlakyId.ToString() }));
    }

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}
