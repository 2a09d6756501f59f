using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Mlops.Hosting;
using Mlops.Hosting.Retention;
using Mlops.Testing;
using Xunit;

namespace Mlops.Notifications.Tests;

public sealed class When_retention_runs_over_webhooks(TestEnvironment environment) : IClassFixture<TestEnvironment>, IAsyncLifetime
{
    private WebApplication? _notifications;

    public async Task InitializeAsync() =>
        _notifications = await TestHost.StartAsync(environment, "notifications", b =>
        {
            b.AddMlopsDefaults();
            b.AddNotificationsService();
        }, new Dictionary<string, string?> { ["Retention:Enabled"] = "false" });

    [Fact]
    public async Task Old_delivered_rows_and_then_their_events_go_while_failed_rows_and_replayed_ones_stay()
    {
        await environment.Database.ExecuteAsync("""
            INSERT INTO notifications.subscriptions (id, url, event_types, secret_encrypted, created_by, status, next_sequence)
            VALUES ('00000000-0000-0000-0000-0000000000aa', 'http://127.0.0.1:9/', '{run.finished}', '\x00', 'test', 'deleted', 6);
            INSERT INTO notifications.events (id, event_type, occurred_at, body) VALUES
                ('00000000-0000-0000-0000-000000000001', 'run.finished', now() - interval '40 days', '{}'),
                ('00000000-0000-0000-0000-000000000002', 'run.finished', now() - interval '40 days', '{}'),
                ('00000000-0000-0000-0000-000000000003', 'run.finished', now() - interval '40 days', '{}'),
                ('00000000-0000-0000-0000-000000000004', 'run.finished', now(), '{}'),
                ('00000000-0000-0000-0000-000000000005', 'run.finished', now() - interval '40 days', '{}');
            INSERT INTO notifications.deliveries (id, subscription_id, sequence, event_id, status, delivered_at, failed_at, replay_of) VALUES
                ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000aa', 1, '00000000-0000-0000-0000-000000000001', 'delivered', now() - interval '40 days', NULL, NULL),
                ('00000000-0000-0000-0000-0000000000d2', '00000000-0000-0000-0000-0000000000aa', 2, '00000000-0000-0000-0000-000000000002', 'failed', NULL, now() - interval '40 days', NULL),
                ('00000000-0000-0000-0000-0000000000d4', '00000000-0000-0000-0000-0000000000aa', 3, '00000000-0000-0000-0000-000000000004', 'delivered', now(), NULL, NULL),
                ('00000000-0000-0000-0000-0000000000d5', '00000000-0000-0000-0000-0000000000aa', 4, '00000000-0000-0000-0000-000000000005', 'delivered', now() - interval '40 days', NULL, NULL),
                ('00000000-0000-0000-0000-0000000000d6', '00000000-0000-0000-0000-0000000000aa', 5, '00000000-0000-0000-0000-000000000005', 'pending', NULL, NULL, '00000000-0000-0000-0000-0000000000d5');
            """);
        var retention = _notifications!.Services.GetRequiredService<RetentionService>();

        var first = await retention.RunOnceAsync(CancellationToken.None);
        await retention.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, first[NotificationsRetention.WebhookDeliveries.Name].Rows);
        Assert.Equal(["d2", "d4", "d5", "d6"], await environment.Database.QueryAsync<string>(
            "SELECT right(id::text, 2) FROM notifications.deliveries ORDER BY id"));
        Assert.Equal(["02", "04", "05"], await environment.Database.QueryAsync<string>(
            "SELECT right(id::text, 2) FROM notifications.events ORDER BY id"));
    }

    public Task DisposeAsync() => _notifications.StopQuietlyAsync();
}
