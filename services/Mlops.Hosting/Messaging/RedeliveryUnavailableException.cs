namespace Mlops.Hosting.Messaging;

/// <summary>
/// A message failed transiently and not even its delayed redelivery could be written (the database is down). It is handed
/// back to RabbitMQ unacknowledged instead of being dead-lettered: see <see cref="RedeliveryFilter{TMessage}"/>.
/// </summary>
public sealed class RedeliveryUnavailableException(string message, Exception innerException) : Exception(message, innerException);
