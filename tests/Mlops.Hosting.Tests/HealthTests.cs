using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Messaging;
using Mlops.Testing;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_a_service_reports_its_health(TestEnvironment environment) : IClassFixture<TestEnvironment>
{
    [Fact]
    public async Task It_is_ready_when_the_database_and_the_broker_answer()
    {
        var host = await TestHost.StartAsync(environment, "healthy", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging();
        }, map: app => app.MapMlopsDefaults());
        try
        {
            using var http = Client(host);
            var ready = await Eventually.WaitAsync(() => http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, "the service to be ready");
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
            foreach (var check in new[] { "postgres", "outbox-backlog", "outbox-parked", "dead-letters" })
                Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty(check).GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task It_is_alive_but_not_ready_when_the_database_does_not_answer()
    {
        var host = await TestHost.StartAsync(environment, "no-database", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging();
        }, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=nobody;Database=none;Timeout=2",
            ["Database:MigrateOnStartup"] = "false",
            ["Messaging:Outbox:DispatcherEnabled"] = "false",
        }, app => app.MapMlopsDefaults());
        try
        {
            using var http = Client(host);
            var ready = await http.GetAsync("/health/ready");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    [Fact]
    public async Task It_is_degraded_with_the_numbers_when_rows_are_parked_dead_letters_wait_or_the_backlog_ages()
    {
        var host = await TestHost.StartAsync(environment, "degraded", builder =>
        {
            builder.AddMlopsDefaults();
            builder.AddMlopsMessaging();
        }, new Dictionary<string, string?>
        {
            ["Messaging:Outbox:DispatcherEnabled"] = "false",
            ["Health:OutboxBacklogAge"] = "00:00:30",
            ["Health:DeadLetters"] = "1",
        }, app => app.MapMlopsDefaults());
        try
        {
            using var http = Client(host);
            await Eventually.WaitAsync(() => http.GetAsync("/health/ready"), r => r.StatusCode == HttpStatusCode.OK, "the service to be ready");
            await environment.Database.ExecuteAsync("""
                INSERT INTO messaging.outbox (producer, message_id, destination_address, message_type, content_type, body, sent_time, deliver_after, parked_at, last_error)
                VALUES ('degraded', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', '{}', now(), now() - interval '5 minutes', NULL, NULL),
                       ('degraded', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', '{}', now(), now(), now(), 'JsonException: bad headers');
                INSERT INTO messaging.dead_letters (queue, reason, service) VALUES ('x', 'broke', 'degraded'), ('x', 'broke again', 'degraded');
                """);

            var ready = await http.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
            Assert.Equal("Degraded", body.RootElement.GetProperty("status").GetString());
            var checks = body.RootElement.GetProperty("checks");
            foreach (var check in new[] { "outbox-backlog", "outbox-parked", "dead-letters" })
                Assert.Equal("Degraded", checks.GetProperty(check).GetProperty("status").GetString());
            var backlog = checks.GetProperty("outbox-backlog").GetProperty("data");
            Assert.Equal(1, backlog.GetProperty("rows").GetInt64());
            Assert.True(backlog.GetProperty("oldestSeconds").GetDouble() >= 299);
            Assert.Equal(1, checks.GetProperty("outbox-parked").GetProperty("data").GetProperty("rows").GetInt64());
            Assert.Equal(2, checks.GetProperty("dead-letters").GetProperty("data").GetProperty("count").GetInt64());
            Assert.Contains("2 dead letters", checks.GetProperty("dead-letters").GetProperty("description").GetString());
            Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());
        }
        finally
        {
            await host.StopQuietlyAsync();
        }
    }

    private static HttpClient Client(WebApplication host) => new()
    {
        BaseAddress = new Uri(host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
    };
}
