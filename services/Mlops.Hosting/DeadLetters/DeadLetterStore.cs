using System.Text.Json;
using Dapper;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Outbox;
using Npgsql;

namespace Mlops.Hosting.DeadLetters;

/// <summary>
/// messaging.dead_letters: written by every endpoint's error pipe, read and replayed by operators (`mlops errors`).
/// A replay writes the message back to its queue as an outbox row of the service that consumes it, with the same MessageId
/// (the failed attempts rolled back, so the inbox has not seen it) and a fresh redelivery count, and stamps the dead letter.
/// </summary>
public sealed class DeadLetterStore(NpgsqlDataSource dataSource)
{
    public async Task<long> AddAsync(DeadLetter letter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, letter, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(string? queue, bool includeReplayed, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<DeadLetter>(new CommandDefinition(ListSql,
            new { Queue = queue, IncludeReplayed = includeReplayed, Limit = limit }, cancellationToken: cancellationToken))).ToList();
    }

    public async Task<DeadLetter?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<DeadLetter>(new CommandDefinition(SelectSql + " WHERE id = @id", new { id },
            cancellationToken: cancellationToken));
    }

    /// <summary>Replays one dead letter; throws when it does not exist, was already replayed or names no service to send it.</summary>
    public async Task<DeadLetter> ReplayAsync(long id, string replayedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var letter = await ReplayAsync(connection, transaction, id, replayedBy, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return letter;
    }

    /// <summary>Replays one dead letter in the caller's transaction (so the caller can audit it in the same commit).</summary>
    public static async Task<DeadLetter> ReplayAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, string replayedBy,
        CancellationToken cancellationToken)
    {
        var letter = await connection.QuerySingleOrDefaultAsync<DeadLetter>(new CommandDefinition(SelectSql + " WHERE id = @id FOR UPDATE",
                         new { id }, transaction, cancellationToken: cancellationToken))
                     ?? throw new KeyNotFoundException($"No dead letter {id}.");
        if (letter.ReplayedAt is { } at)
            throw new InvalidOperationException($"Dead letter {id} was already replayed at {at:u} by {letter.ReplayedBy}.");

        await ReplayAsync(connection, transaction, letter, replayedBy, cancellationToken);
        return letter;
    }

    /// <summary>Replays every unreplayed dead letter of a queue, oldest first; returns how many.</summary>
    public async Task<int> ReplayQueueAsync(string queue, string replayedBy, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var count = await ReplayQueueAsync(connection, transaction, queue, replayedBy, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>Replays every unreplayed dead letter of a queue in the caller's transaction; returns how many.</summary>
    public static async Task<int> ReplayQueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string queue, string replayedBy,
        CancellationToken cancellationToken)
    {
        var letters = (await connection.QueryAsync<DeadLetter>(new CommandDefinition(
            SelectSql + " WHERE queue = @queue AND replayed_at IS NULL ORDER BY id FOR UPDATE", new { queue }, transaction,
            cancellationToken: cancellationToken))).ToList();
        foreach (var letter in letters)
            await ReplayAsync(connection, transaction, letter, replayedBy, cancellationToken);
        return letters.Count;
    }

    private static async Task ReplayAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DeadLetter letter, string replayedBy,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(letter.Service))
            throw new InvalidOperationException($"Dead letter {letter.Id} does not name the service that consumes {letter.Queue}; it cannot be replayed.");
        if (letter.Body is null)
            throw new InvalidOperationException($"Dead letter {letter.Id} has no body to replay.");

        var headers = letter.Headers is null
            ? new Dictionary<string, object?>()
            : JsonSerializer.Deserialize<Dictionary<string, object?>>(letter.Headers) ?? [];
        headers.Remove(MlopsHeaders.RedeliveryCount);
        headers.Remove(MlopsHeaders.RedeliveryReason);

        await OutboxWriter.InsertAsync(connection, transaction, new OutboxMessage
        {
            Producer = letter.Service,
            MessageId = letter.MessageId ?? MassTransit.NewId.NextGuid(),
            DestinationAddress = letter.InputAddress ?? $"queue:{letter.Queue}",
            MessageType = letter.MessageType ?? "",
            ContentType = letter.ContentType ?? "application/vnd.masstransit+json",
            Body = MlopsHeaders.WithRedeliveryHeaders(letter.Body, letter.ContentType, null, null),
            Headers = JsonSerializer.Serialize(headers),
            SentTime = DateTime.UtcNow,
        }, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE messaging.dead_letters SET replayed_at = now(), replayed_by = @replayedBy WHERE id = @Id",
            new { letter.Id, replayedBy }, transaction, cancellationToken: cancellationToken));
    }

    private const string InsertSql = """
        INSERT INTO messaging.dead_letters (queue, message_id, message_type, reason, exception_type, headers, body, redeliveries,
                                            service, content_type, input_address)
        VALUES (@Queue, @MessageId, @MessageType, @Reason, @ExceptionType, @Headers::jsonb, @Body, @Redeliveries,
                @Service, @ContentType, @InputAddress)
        RETURNING id
        """;

    private const string SelectSql = """
        SELECT id AS Id, queue AS Queue, message_id AS MessageId, message_type AS MessageType, reason AS Reason,
               exception_type AS ExceptionType, headers::text AS Headers, body AS Body, failed_at AS FailedAt,
               redeliveries AS Redeliveries, replayed_at AS ReplayedAt, replayed_by AS ReplayedBy, service AS Service,
               content_type AS ContentType, input_address AS InputAddress
        FROM messaging.dead_letters
        """;

    private const string ListSql = SelectSql + """

        WHERE (@Queue::text IS NULL OR queue = @Queue) AND (@IncludeReplayed OR replayed_at IS NULL)
        ORDER BY id DESC
        LIMIT @Limit
        """;
}
