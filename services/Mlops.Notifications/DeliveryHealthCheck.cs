using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Mlops.Notifications;

/// <summary>
/// Degraded while a delivery failed for good in the last day (someone should look, and maybe replay) or the oldest pending
/// delivery waits longer than 10 minutes (a receiver is down, or the dispatcher is stuck).
/// </summary>
public sealed class DeliveryHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    private static readonly TimeSpan PendingTooLong = TimeSpan.FromMinutes(10);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (pending, oldestSeconds, failed) = await connection.QuerySingleAsync<(long, double?, long)>(new CommandDefinition("""
            SELECT count(*) FILTER (WHERE status = 'pending'),
                   extract(epoch FROM now() - min(created_at) FILTER (WHERE status = 'pending'))::float8,
                   count(*) FILTER (WHERE status = 'failed' AND failed_at > now() - interval '1 day')
            FROM notifications.deliveries WHERE status <> 'delivered'
            """, cancellationToken: cancellationToken));
        var data = new Dictionary<string, object> { ["pending"] = pending, ["oldestPendingSeconds"] = oldestSeconds ?? 0, ["failedLastDay"] = failed };
        if (failed > 0)
            return HealthCheckResult.Degraded($"{failed} webhook deliveries failed for good in the last day", data: data);
        if (oldestSeconds > PendingTooLong.TotalSeconds)
            return HealthCheckResult.Degraded($"the oldest pending webhook delivery waits for {TimeSpan.FromSeconds(oldestSeconds.Value):c}", data: data);
        return HealthCheckResult.Healthy($"{pending} webhook deliveries pending", data);
    }
}
