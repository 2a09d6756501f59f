using System.Diagnostics;
using Dapper;
using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.Logging;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Telemetry;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Runs one consumer (or saga) on one message inside one database transaction:
/// inbox row first (a message this consumer already processed is acknowledged and skipped),
/// then the consumer's own work, with everything it publishes captured into the outbox, then commit.
/// A failure anywhere rolls all of it back and lets the retry policy, then delayed redelivery, then the dead letters take over.
/// </summary>
public sealed class TransactionalConsumeFilter<TMessage>(IConsumeScopeProvider scopeProvider, string consumerKey) : IFilter<ConsumeContext<TMessage>>
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
            var recorded = await session.Connection.ExecuteAsync(new CommandDefinition(InsertInboxSql,
                new { Consumer = consumerKey, MessageId = messageId, MessageType = TypeCache<TMessage>.ShortName },
                session.Transaction, cancellationToken: context.CancellationToken));

            if (recorded == 0)
            {
                await session.RollbackAsync(context.CancellationToken);
                Activity.Current?.AddEvent(new ActivityEvent("mlops.inbox.duplicate"));
                MessagingInstruments.InboxDuplicate(consumerKey, TypeCache<TMessage>.ShortName);
                scope.GetService<ILoggerFactory>().CreateLogger("Mlops.Inbox")
                    .LogInformation("Skipped {MessageType} {MessageId}: {Consumer} already processed it", TypeCache<TMessage>.ShortName, messageId, consumerKey);
                return;
            }

            var outboxContext = new OutboxCaptureContext<TMessage>(scope.Context, session, writer, scope.GetService<IServiceProvider>(), bus.Topology);
            using (scope.PushConsumeContext(outboxContext))
            {
                await next.Send(outboxContext);
                await outboxContext.ConsumeCompleted;
            }

            await session.CommitAsync(context.CancellationToken);
        }
        catch
        {
            await session.RollbackAsync(CancellationToken.None);
            throw;
        }
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
