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
            // This host's own gauges, heard in-process. Its /metrics cannot be asked: every host of the test process exports gauges of
            // the same names, and OpenTelemetry drops a stream once any one host's meter of that name is disposed.
            using var meters = new HostMeters(host.Services, "mlops.outbox.backlog", "mlops.outbox.backlog.age", "mlops.outbox.parked", "mlops.dead_letters");
            var producer = ("mlops.producer", (object?)"gauged");
            double Gauge(string name)
            {
                meters.Observe();
                return Assert.Single(meters.Of(name, producer));
            }
            Assert.Equal((0, 0, 0), (Gauge("mlops.outbox.backlog"), Gauge("mlops.outbox.parked"), Gauge("mlops.dead_letters")));

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

            // One database read serves a collection for a second; the next one sees the new rows.
            await Eventually.WaitAsync(() => Task.FromResult(Gauge("mlops.outbox.backlog")), rows => rows > 0, "the new rows in the gauges");
            Assert.Equal(3, Gauge("mlops.outbox.backlog"));
            Assert.Equal(1, Gauge("mlops.outbox.parked"));
            Assert.Equal(2, Gauge("mlops.dead_letters"));
            Assert.InRange(Gauge("mlops.outbox.backlog.age"), 299, 3600);
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
