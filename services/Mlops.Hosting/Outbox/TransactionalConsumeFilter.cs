using System.Diagnostics;
using Dapper;
using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Telemetry;
using Npgsql;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Runs one consumer (or saga) on one message inside one database transaction:
/// inbox row first (a message this consumer already processed is acknowledged and skipped),
/// then the consumer's own work, with everything it publishes captured into the outbox, then commit.
/// A failure anywhere rolls all of it back and lets the retry policy, then delayed redelivery, then the dead letters take over.
/// For a saga on the Postgres repository (<paramref name="inboxWithLoad"/>) the inbox row is queued instead and goes to the server
/// with the saga's load, the first thing the repository does, before any of the saga's behaviour runs: one round trip for both,
/// and a message already processed is still skipped before the saga sees it.
/// </summary>
public sealed class TransactionalConsumeFilter<TMessage>(IConsumeScopeProvider scopeProvider, string consumerKey, bool inboxWithLoad = false)
    : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        await using var scope = await scopeProvider.GetScope(context);

        var session = scope.GetService<DbSession>();
        var writer = scope.GetService<OutboxWriter>();
        var bus = scope.GetService<IBus>();

        var messageId = context.MessageId
            ?? throw new UnrecoverableMessageException(
                $"{TypeCache<TMessage>.ShortName} has no MessageId: the inbox could not tell a redelivery from a new message, so it is not processed.");

        await session.BeginAsync(context.CancellationToken);
        try
        {
            if (inboxWithLoad)
            {
                session.Enqueue(InboxStatement(messageId), completed: inbox =>
                {
                    if (inbox.RecordsAffected == 0)
                        throw new InboxDuplicateException(consumerKey, messageId);
                });
            }
            else
            {
                var recorded = await session.Connection.ExecuteAsync(new CommandDefinition(InsertInboxSql,
                    new { Consumer = consumerKey, MessageId = messageId, MessageType = TypeCache<TMessage>.ShortName },
                    session.Transaction, cancellationToken: context.CancellationToken));
                if (recorded == 0)
                {
                    await session.RollbackAsync(context.CancellationToken);
                    Skipped(scope, messageId);
                    return;
                }
            }

            var outboxContext = new OutboxCaptureContext<TMessage>(scope.Context, session, writer, scope.GetService<IServiceProvider>(), bus.Topology);
            using (scope.PushConsumeContext(outboxContext))
            {
                await next.Send(outboxContext);
                await outboxContext.ConsumeCompleted;
            }

            await session.CommitAsync(context.CancellationToken);
        }
        catch (Exception exception)
        {
            await session.RollbackAsync(CancellationToken.None);
            if (IsDuplicate(exception))
            {
                Skipped(scope, messageId);
                return;
            }
            throw;
        }
    }

    private NpgsqlBatchCommand InboxStatement(Guid messageId) => new(InsertInboxSql)
    {
        Parameters =
        {
            new NpgsqlParameter("Consumer", consumerKey),
            new NpgsqlParameter("MessageId", messageId),
            new NpgsqlParameter("MessageType", TypeCache<TMessage>.ShortName),
        },
    };

    /// <summary>The queued inbox row's duplicate, however the saga middleware between here and the repository wrapped it.</summary>
    private static bool IsDuplicate(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is InboxDuplicateException)
                return true;
            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Any(IsDuplicate))
                return true;
        }
        return false;
    }

    private void Skipped(IConsumeScopeContext<TMessage> scope, Guid messageId)
    {
        Activity.Current?.AddEvent(new ActivityEvent("mlops.inbox.duplicate"));
        MessagingInstruments.InboxDuplicate(consumerKey, TypeCache<TMessage>.ShortName);
        scope.GetService<ILoggerFactory>().CreateLogger("Mlops.Inbox")
            .LogInformation("Skipped {MessageType} {MessageId}: {Consumer} already processed it", TypeCache<TMessage>.ShortName, messageId, consumerKey);
    }

    public void Probe(ProbeContext context)
    {
        var scope = context.CreateFilterScope("transactionalOutbox");
        scope.Add("consumer", consumerKey);
    }

    private const string InsertInboxSql = """
        INSERT INTO messaging.inbox (consumer, message_id, message_type) VALUES (@Consumer, @MessageId, @MessageType)
        ON CONFLICT (consumer, message_id) DO NOTHING
        """;
}
