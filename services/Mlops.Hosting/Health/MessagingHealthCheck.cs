using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Outbox;
using Npgsql;

namespace Mlops.Hosting.Health;

/// <summary>
/// Readiness from this service's messaging tables: the outbox backlog (count and age of the oldest due row), parked outbox rows
/// and unreplayed dead letters. Crossing a <see cref="HealthOptions"/> threshold makes it Degraded with the numbers in its data.
/// </summary>
public sealed class MessagingHealthCheck(NpgsqlDataSource dataSource, ProducerName producer, IOptionsMonitor<HealthOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        MessagingFigures figures;
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            figures = await connection.QuerySingleAsync<MessagingFigures>(new CommandDefinition(FiguresSql, new { Producer = producer.Value },
                cancellationToken: cancellationToken));
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The outbox and dead letters cannot be read.", exception);
        }

        var limits = options.CurrentValue;
        var data = new Dictionary<string, object>
        {
            ["producer"] = producer.Value,
            ["outboxBacklogRows"] = figures.BacklogRows,
            ["outboxBacklogOldestSeconds"] = Math.Round(figures.BacklogOldestSeconds, 1),
            ["outboxBacklogRowsLimit"] = limits.OutboxBacklogRows,
            ["outboxBacklogAgeLimitSeconds"] = limits.OutboxBacklogAge.TotalSeconds,
            ["parkedOutboxRows"] = figures.ParkedRows,
            ["parkedOutboxRowsLimit"] = limits.ParkedOutboxRows,
            ["deadLetters"] = figures.DeadLetters,
            ["deadLettersOldestSeconds"] = Math.Round(figures.DeadLettersOldestSeconds, 1),
            ["deadLettersLimit"] = limits.DeadLetters,
        };

        var problems = new List<string>();
        if (figures.BacklogRows > limits.OutboxBacklogRows)
            problems.Add($"{figures.BacklogRows} outbox rows are due and unsent (limit {limits.OutboxBacklogRows})");
        if (figures.BacklogOldestSeconds > limits.OutboxBacklogAge.TotalSeconds)
            problems.Add($"the oldest due outbox row has waited {figures.BacklogOldestSeconds:0} s (limit {limits.OutboxBacklogAge.TotalSeconds:0} s)");
        if (figures.ParkedRows > limits.ParkedOutboxRows)
            problems.Add($"{figures.ParkedRows} outbox rows are parked (limit {limits.ParkedOutboxRows}); see messaging.outbox.last_error");
        if (figures.DeadLetters > limits.DeadLetters)
            problems.Add($"{figures.DeadLetters} dead letters are not replayed (limit {limits.DeadLetters}); see 'mlops errors list'");

        return problems.Count == 0
            ? HealthCheckResult.Healthy("Outbox flowing, nothing parked or dead-lettered.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems) + ".", data: data);
    }

    private sealed record MessagingFigures(long BacklogRows, double BacklogOldestSeconds, long ParkedRows, long DeadLetters, double DeadLettersOldestSeconds);

    private const string FiguresSql = """
        SELECT
            (SELECT count(*) FROM messaging.outbox
             WHERE producer = @Producer AND delivered_at IS NULL AND parked_at IS NULL AND deliver_after <= now()) AS BacklogRows,
            coalesce((SELECT extract(epoch FROM now() - min(deliver_after))::float8 FROM messaging.outbox
             WHERE producer = @Producer AND delivered_at IS NULL AND parked_at IS NULL AND deliver_after <= now()), 0) AS BacklogOldestSeconds,
            (SELECT count(*) FROM messaging.outbox WHERE producer = @Producer AND parked_at IS NOT NULL AND delivered_at IS NULL) AS ParkedRows,
            (SELECT count(*) FROM messaging.dead_letters WHERE service = @Producer AND replayed_at IS NULL) AS DeadLetters,
            coalesce((SELECT extract(epoch FROM now() - min(failed_at))::float8 FROM messaging.dead_letters
             WHERE service = @Producer AND replayed_at IS NULL), 0) AS DeadLettersOldestSeconds
        """;
}
