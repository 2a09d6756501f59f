namespace Mlops.Hosting.Messaging;

/// <summary>
/// A message that no retry can make valid (it names something that cannot exist, its content breaks the contract).
/// It skips the retries and delayed redeliveries and is dead-lettered at once (messaging.dead_letters) with this reason.
/// </summary>
public sealed class UnrecoverableMessageException(string message, Exception? innerException = null) : Exception(message, innerException);
