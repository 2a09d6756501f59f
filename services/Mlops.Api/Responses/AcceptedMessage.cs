namespace Mlops.Api.Responses;

/// <summary>The message the API published (through the outbox) for an accepted request.</summary>
public sealed record AcceptedMessage(Guid MessageId, string MessageType, Guid? CorrelationId = null);
