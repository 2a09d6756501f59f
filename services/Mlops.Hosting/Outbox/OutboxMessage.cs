namespace Mlops.Hosting.Outbox;

/// <summary>One outbox row as written: a message already serialised, with its addresses, and when it falls due.</summary>
public sealed record OutboxMessage
{
    public required string Producer { get; init; }
    public required Guid MessageId { get; init; }
    public required string DestinationAddress { get; init; }
    public required string MessageType { get; init; }
    public required string ContentType { get; init; }
    public required string Body { get; init; }
    public string? Headers { get; init; }
    public string? Properties { get; init; }
    public Guid? ConversationId { get; init; }
    public Guid? CorrelationId { get; init; }
    public Guid? InitiatorId { get; init; }
    public Guid? RequestId { get; init; }
    public string? SourceAddress { get; init; }
    public string? ResponseAddress { get; init; }
    public string? FaultAddress { get; init; }
    public DateTime? ExpirationTime { get; init; }
    public DateTime SentTime { get; init; }
    public Guid? SchedulingTokenId { get; init; }
    public double DelayMilliseconds { get; init; }
}
