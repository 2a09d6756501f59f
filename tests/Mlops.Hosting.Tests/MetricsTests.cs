using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Hosting.Tests.Messages;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

/// <summary>Every service's /metrics, scraped over real HTTP the way Prometheus does.</summary>
public sealed class When_a_service_is_scraped(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task The_outbox_backlog_parked_rows_and_dead_letters_are_read_from_the_database()
    {
        var host = await TestHost.StartAsync(environment, "gauged", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging();
        }, new Dictionary<string, string?> { ["Messaging:Outbox:DispatcherEnabled"] = "false" }, app => app.MapMlopsDefaults());
        try
        {
            var producer = ("mlops_producer", "gauged");
            var before = await Eventually.WaitAsync(() => PrometheusScrape.OfAsync(host), s => s.Value("mlops_outbox_backlog", producer) is not null,
                "the outbox gauges");
            Assert.Equal((0, 0, 0), (before.Value("mlops_outbox_backlog", producer), before.Value("mlops_outbox_parked", producer),
                before.Value("mlops_dead_letters", producer)));

            await environment.Database.ExecuteAsync("""
                INSERT INTO messaging.outbox (producer, message_id, destination_address, message_type, content_type, body, sent_time, deliver_after, parked_at, last_error)
                SELECT 'gauged', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', '{}', now(), now() - interval '5 minutes', NULL, NULL
                FROM generate_series(1, 3);
                INSERT INTO messaging.outbox (producer, message_id, destination_address, message_type, content_type, body, sent_time, deliver_after, parked_at, last_error)
                VALUES ('gauged', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', '{}', now(), now(), now(), 'JsonException: bad headers'),
                       ('gauged', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', '{}', now(), now() + interval '1 hour', NULL, NULL),
                       ('someone-else', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', '{}', now(), now(), NULL, NULL);
                INSERT INTO messaging.dead_letters (queue, reason, service) VALUES ('x', 'broke', 'gauged'), ('x', 'broke again', 'gauged');
                """);

            var after = await Eventually.WaitAsync(() => PrometheusScrape.OfAsync(host), s => s.Value("mlops_outbox_backlog", producer) > 0,
                "the new rows in the gauges");
            Assert.Equal(3, after.Value("mlops_outbox_backlog", producer));
            Assert.Equal(1, after.Value("mlops_outbox_parked", producer));
            Assert.Equal(2, after.Value("mlops_dead_letters", producer));
            Assert.InRange(after.Value("mlops_outbox_backlog_age_seconds", producer)!.Value, 299, 3600);
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task A_redelivery_and_an_inbox_duplicate_are_counted_once_each()
    {
        var host = await TestHost.StartAsync(environment, "counted", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging(bus => bus.AddConsumer<MeasuredConsumer>());
        }, new Dictionary<string, string?> { ["Messaging:Retry:Limit"] = "1" }, app => app.MapMlopsDefaults());
        try
        {
            var bus = host.Services.GetRequiredService<IBus>();
            var failing = new Measured { MeasuredId = Guid.NewGuid(), FailTimes = 2 };
            var repeated = new Measured { MeasuredId = Guid.NewGuid() };
            var messageId = NewId.NextGuid();
            await bus.Publish(failing);
            await bus.Publish(repeated, context => context.MessageId = messageId);
            await bus.Publish(repeated, context => context.MessageId = messageId);

            await Eventually.WaitAsync(() => Task.FromResult(MeasuredConsumer.Done.ContainsKey(failing.MeasuredId) && MeasuredConsumer.Done.ContainsKey(repeated.MeasuredId)),
                "both messages consumed");
            var type = ("mlops_message_type", typeof(Measured).FullName!);
            var scrape = await Eventually.WaitAsync(() => PrometheusScrape.OfAsync(host),
                s => s.Value("mlops_inbox_duplicates_total", type) is not null && s.Value("mlops_messaging_redeliveries_total", type) is not null,
                "the counters");

            Assert.Equal(3, MeasuredConsumer.Attempts[failing.MeasuredId]);
            Assert.Equal(1, MeasuredConsumer.Done[repeated.MeasuredId]);
            Assert.Equal(1, scrape.Value("mlops_messaging_redeliveries_total", type));
            Assert.Equal(1, scrape.Value("mlops_messaging_redeliveries_total", type, ("mlops_transient", "false")));
            Assert.Equal(1, scrape.Value("mlops_inbox_duplicates_total", type));
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }
}
