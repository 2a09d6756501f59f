using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Sagas;
using Mlops.Hosting.Tests.Messages;
using Mlops.Hosting.Tests.Sagas;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_saga_sets_a_deadline(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    private static void Register(IBusRegistrationConfigurator bus) =>
        bus.AddSagaStateMachine<ReminderStateMachine, ReminderState>().PostgresRepository("hosting_tests.reminder_saga");

    private Task<string> StateOf(Guid id) =>
        environment.Database.ScalarAsync<string>("SELECT current_state FROM hosting_tests.reminder_saga WHERE correlation_id = @id", new { id });

    [Fact]
    public async Task A_deadline_set_before_the_host_stops_fires_after_it_restarts()
    {
        var id = NewId.NextGuid();
        var before = await HostingTestHost.StartAsync(environment, "reminders", Register);
        await before.Services.GetRequiredService<IBus>().Publish(new ReminderRequested { CorrelationId = id, DelaySeconds = 3 });
        await Eventually.WaitAsync(() => StateOf(id), s => s == "Waiting", "the saga waiting");
        await before.StopQuietlyAsync();

        Assert.Equal(1, await environment.Database.ScalarAsync<long>(
            "SELECT count(*) FROM messaging.outbox WHERE correlation_id = @id AND scheduling_token_id IS NOT NULL AND delivered_at IS NULL", new { id }));

        var after = await HostingTestHost.StartAsync(environment, "reminders", Register);
        try
        {
            Assert.Equal("Expired", await Eventually.WaitAsync(() => StateOf(id), s => s == "Expired", "the deadline to fire"));
        }
        finally
        {
            await after.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_cancelled_deadline_is_removed_and_a_stale_one_is_ignored()
    {
        var id = NewId.NextGuid();
        var host = await HostingTestHost.StartAsync(environment, "reminders", Register);
        try
        {
            var bus = host.Services.GetRequiredService<IBus>();
            await bus.Publish(new ReminderRequested { CorrelationId = id, DelaySeconds = 600 });
            await Eventually.WaitAsync(() => StateOf(id), s => s == "Waiting", "the saga waiting");

            var staleId = NewId.NextGuid();
            await bus.Publish(new ReminderExpired { CorrelationId = id }, context =>
            {
                context.MessageId = staleId;
                context.Headers.Set(MessageHeaders.SchedulingTokenId, Guid.NewGuid().ToString("D"));
            });
            await Eventually.WaitAsync(() => environment.Database.ScalarAsync<long>(
                "SELECT count(*) FROM messaging.inbox WHERE message_id = @staleId", new { staleId }), n => n == 1, "the stale deadline processed");
            Assert.Equal("Waiting", await StateOf(id));

            await bus.Publish(new ReminderAcknowledged { CorrelationId = id });
            Assert.Equal("Done", await Eventually.WaitAsync(() => StateOf(id), s => s == "Done", "the acknowledgement"));
            Assert.Equal(0, await environment.Database.ScalarAsync<long>(
                "SELECT count(*) FROM messaging.outbox WHERE correlation_id = @id AND scheduling_token_id IS NOT NULL", new { id }));
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }
}
