using Dapper;
using Npgsql;

namespace Mlops.Hosting.Health;

/// <summary>One service's outbox and dead-letter figures, read for readiness and for the outbox gauges.</summary>
public sealed record MessagingFigures(long BacklogRows, double BacklogOldestSeconds, long ParkedRows, long DeadLetters, double DeadLettersOldestSeconds)
{
    public static Task<MessagingFigures> ReadAsync(NpgsqlConnection connection, string producer, CancellationToken cancellationToken) =>
        connection.QuerySingleAsync<MessagingFigures>(new CommandDefinition(Sql, new { Producer = producer }, cancellationToken: cancellationToken));

    /// <summary>Synchronously, for a metrics collection (observable instruments are read by synchronous callbacks).</summary>
    public static MessagingFigures Read(NpgsqlConnection connection, string producer) =>
        connection.QuerySingle<MessagingFigures>(Sql, new { Producer = producer });

    private const string Sql = """
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
