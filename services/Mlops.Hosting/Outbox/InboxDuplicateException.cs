namespace Mlops.Hosting.Outbox;

/// <summary>
/// The inbox row of a message was found already there when it went to the server with a later statement (a saga's load):
/// the consumer processed this message before. <see cref="TransactionalConsumeFilter{TMessage}"/> rolls back and skips it.
/// </summary>
internal sealed class InboxDuplicateException(string consumer, Guid messageId)
    : Exception($"{consumer} already processed message {messageId}.");
