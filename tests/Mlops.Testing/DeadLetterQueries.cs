namespace Mlops.Testing;

/// <summary>Reads messaging.dead_letters, where every endpoint puts the messages that failed for good.</summary>
public static class DeadLetterQueries
{
    public static Task<IReadOnlyList<DeadLetterRow>> DeadLettersAsync(this TestDatabase database, string queue) =>
        database.QueryAsync<DeadLetterRow>("""
            SELECT id AS Id, queue AS Queue, message_type AS MessageType, reason AS Reason, exception_type AS ExceptionType, body AS Body,
                   redeliveries AS Redeliveries
            FROM messaging.dead_letters WHERE queue = @queue ORDER BY id
            """, new { queue });
}

public sealed record DeadLetterRow
{
    public long Id { get; init; }
    public string Queue { get; init; } = "";
    public string? MessageType { get; init; }
    public string Reason { get; init; } = "";
    public string? ExceptionType { get; init; }
    public string Body { get; init; } = "";
    public int Redeliveries { get; init; }
}
