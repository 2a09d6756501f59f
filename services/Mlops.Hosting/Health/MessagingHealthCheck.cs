using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Outbox;
using Npgsql;

namespace Mlops.Hosting.Health;

/// <summary>
/// Readiness from this service's messaging tables, one <see cref="MessagingHealthAspect"/> per check: the outbox backlog (count
/// and age of the oldest due row), parked outbox rows, unreplayed dead letters. Crossing a <see cref="HealthOptions"/> threshold
/// makes the check Degraded with the numbers in its data.
/// </summary>
public sealed class MessagingHealthCheck(NpgsqlDataSource dataSource, ProducerName producer, IOptionsMonitor<HealthOptions> options,
    MessagingHealthAspect aspect) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        MessagingFigures figures;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            figures = await MessagingFigures.ReadAsync(connection, producer.Value, cancellationToken);
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The outbox and dead letters cannot be read.", exception);
        }

        var limits = options.CurrentValue;
        return aspect switch
        {
            MessagingHealthAspect.OutboxBacklog => Judge(
                figures.BacklogRows > limits.OutboxBacklogRows || figures.BacklogOldestSeconds > limits.OutboxBacklogAge.TotalSeconds,
                $"{figures.BacklogRows} outbox rows are due and unsent, the oldest for {figures.BacklogOldestSeconds:0} s " +
                $"(limits {limits.OutboxBacklogRows} rows, {limits.OutboxBacklogAge.TotalSeconds:0} s).",
                new Dictionary<string, object>
                {
                    ["producer"] = producer.Value,
                    ["rows"] = figures.BacklogRows,
                    ["oldestSeconds"] = Math.Round(figures.BacklogOldestSeconds, 1),
                    ["rowsLimit"] = limits.OutboxBacklogRows,
                    ["ageLimitSeconds"] = limits.OutboxBacklogAge.TotalSeconds,
                }),
            MessagingHealthAspect.OutboxParked => Judge(figures.ParkedRows > limits.ParkedOutboxRows,
                $"{figures.ParkedRows} outbox rows are parked (limit {limits.ParkedOutboxRows}); their reason is in messaging.outbox.last_error.",
                new Dictionary<string, object>
                {
                    ["producer"] = producer.Value,
                    ["rows"] = figures.ParkedRows,
                    ["rowsLimit"] = limits.ParkedOutboxRows,
                }),
            _ => Judge(figures.DeadLetters > limits.DeadLetters,
                $"{figures.DeadLetters} dead letters are not replayed, the oldest for {figures.DeadLettersOldestSeconds:0} s " +
                $"(limit {limits.DeadLetters}); see 'mlops errors list'.",
                new Dictionary<string, object>
                {
                    ["service"] = producer.Value,
                    ["count"] = figures.DeadLetters,
                    ["oldestSeconds"] = Math.Round(figures.DeadLettersOldestSeconds, 1),
                    ["countLimit"] = limits.DeadLetters,
                }),
        };
    }

    private static HealthCheckResult Judge(bool crossed, string description, IReadOnlyDictionary<string, object> data) =>
        crossed ? HealthCheckResult.Degraded(description, data: data) : HealthCheckResult.Healthy(description, data);
}
