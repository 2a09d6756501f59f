namespace Mlops.Hosting.DeadLetters;

/// <summary>A row of messaging.dead_letters: a message that failed for good, with why, and whether it was replayed.</summary>
public sealed record DeadLetter
{
    public long Id { get; init; }
    public string Queue { get; init; } = "";
    public Guid? MessageId { get; init; }
    public string? MessageType { get; init; }
    public string Reason { get; init; } = "";
    public string? ExceptionType { get; init; }
    public string? Headers { get; init; }
    public string? Body { get; init; }
    public DateTime FailedAt { get; init; }
    public int Redeliveries { get; init; }
    public DateTime? ReplayedAt { get; init; }
    public string? ReplayedBy { get; init; }
    public string? Service { get; init; }
    public string? ContentType { get; init; }
    public string? InputAddress { get; init; }
}
