using Dapper;
using MassTransit;
using MassTransit.Scheduling;
using Mlops.Hosting.Data;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Durable deadlines without Quartz or the delayed-exchange plugin: a scheduled message is an outbox row whose
/// deliver_after lies in the future, written in the same transaction as the saga state that asked for it.
/// Cancelling deletes the row if it has not gone out; one that already went out is recognised as stale by the
/// state machine through its scheduling token.
/// </summary>
public sealed class OutboxScheduleMessageProvider(ISendEndpointProvider outboxSendEndpointProvider, DbSession session) : IScheduleMessageProvider
{
    public async Task<ScheduledMessage<T>> ScheduleSend<T>(Uri destinationAddress, DateTime scheduledTime, T message, IPipe<SendContext<T>> pipe,
        CancellationToken cancellationToken)
        where T : class
    {
        var schedulePipe = new ScheduleSendPipe<T>(pipe, scheduledTime)
        {
            ScheduledMessageId = ScheduleTokenIdCache<T>.GetTokenId(message),
        };

        var endpoint = await outboxSendEndpointProvider.GetSendEndpoint(destinationAddress);
        await endpoint.Send(message, schedulePipe, cancellationToken);

        return new ScheduledMessageHandle<T>(schedulePipe.ScheduledMessageId ?? NewId.NextGuid(), scheduledTime, destinationAddress, message);
    }

    public Task CancelScheduledSend(Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    public Task CancelScheduledSend(Uri destinationAddress, Guid tokenId, CancellationToken cancellationToken) => Cancel(tokenId, cancellationToken);

    private async Task Cancel(Guid tokenId, CancellationToken cancellationToken)
    {
        // A message scheduled earlier in this session may still wait to be written with the others: write it, then delete it.
        await session.FlushAsync(cancellationToken);
        await session.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM messaging.outbox WHERE scheduling_token_id = @TokenId AND delivered_at IS NULL",
            new { TokenId = tokenId }, session.Transaction, cancellationToken: cancellationToken));
    }
}
