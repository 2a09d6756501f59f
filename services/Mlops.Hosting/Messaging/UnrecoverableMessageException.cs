namespace Mlops.Hosting.Messaging;

/// <summary>
/// A message that no retry can make valid (it names something that cannot exist, its content breaks the contract).
/// It skips the retry policy and lands in the endpoint's _error queue with this reason in its fault headers.
/// </summary>
public sealed class UnrecoverableMessageException(string message, Exception? innerException = null) : Exception(message, innerException);
