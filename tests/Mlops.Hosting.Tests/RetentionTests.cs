using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting.Retention;
using Mlops.Hosting.Tests.Consumers;
using Mlops.Testing;
using Npgsql;
using Xunit;

namespace Mlops.Hosting.Tests;

public sealed class When_retention_runs_over_the_messaging_tables(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _host;

    public async Task InitializeAsync() =>
        _host = await HostingTestHost.StartAsync(environment, "retention", bus => bus.AddConsumer<OrderPlacedConsumer>(),
            new Dictionary<string, string?>
            {
                ["Retention:Enabled"] = "false",
                ["Messaging:Outbox:DispatcherEnabled"] = "false",
                ["Retention:OutboxDelivered:BatchSize"] = "2",
                ["Retention:Inbox:BatchSize"] = "2",
                ["Retention:Inbox:Period"] = "3.00:00:00",
            });

    [Fact]
    public async Task Old_rows_are_deleted_in_small_batches_and_young_and_undelivered_rows_are_kept()
    {
        await environment.Database.ExecuteAsync("""
            INSERT INTO messaging.outbox (producer, message_id, destination_address, message_type, content_type, body, sent_time, delivered_at, parked_at)
            SELECT 'p', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', 'old', now(), now() - interval '2 days', NULL::timestamptz FROM generate_series(1, 5)
            UNION ALL SELECT 'p', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', 'young', now(), now() - interval '1 hour', NULL
            UNION ALL SELECT 'p', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', 'undelivered', now(), NULL, NULL
            UNION ALL SELECT 'p', gen_random_uuid(), 'queue:x', 'urn:message:X', 'application/json', 'parked', now(), NULL, now() - interval '2 days';
            INSERT INTO messaging.inbox (consumer, message_id, processed_at)
            SELECT 'c', gen_random_uuid(), now() - interval '4 days' FROM generate_series(1, 3)
            UNION ALL SELECT 'c', gen_random_uuid(), now() - interval '2 days';
            """);

        var runs = await _host!.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);

        Assert.Equal(new RetentionRun(5, 3, false), runs[MessagingRetention.OutboxDelivered.Name]);
        Assert.Equal(new RetentionRun(3, 2, false), runs[MessagingRetention.Inbox.Name]);
        Assert.Equal(["parked", "undelivered", "young"],
            await environment.Database.QueryAsync<string>("SELECT body FROM messaging.outbox WHERE producer = 'p' ORDER BY body"));
        Assert.Equal(1, await environment.Database.ScalarAsync<long>("SELECT count(*) FROM messaging.inbox WHERE consumer = 'c'"));
    }

    [Fact]
    public async Task A_rule_another_instance_is_running_is_skipped()
    {
        var lockKey = BitConverter.ToInt64(System.Security.Cryptography.SHA256.HashData("mlops-retention:OutboxDelivered"u8.ToArray()), 0);
        await using var other = await environment.Database.DataSource.OpenConnectionAsync();
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_lock(@lockKey)", other))
        {
            command.Parameters.AddWithValue("lockKey", lockKey);
            await command.ExecuteScalarAsync();
        }

        var runs = await _host!.Services.GetRequiredService<RetentionService>().RunOnceAsync(CancellationToken.None);

        Assert.True(runs[MessagingRetention.OutboxDelivered.Name].Skipped);
        Assert.False(runs[MessagingRetention.Inbox.Name].Skipped);
    }

    public Task DisposeAsync() => _host.StopQuietlyAsync();
}
