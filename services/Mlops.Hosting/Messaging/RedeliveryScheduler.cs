using MassTransit;
using MassTransit.Serialization;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Outbox;
using Npgsql;

namespace Mlops.Hosting.Messaging;

/// <summary>Writes a failed message back to its own queue as an outbox row of this service, due after a delay.</summary>
public sealed class RedeliveryScheduler(NpgsqlDataSource dataSource, ProducerName producer, OutboxDispatcherSignal signal, IOptions<MessagingOptions> options)
{
    public async Task ScheduleAsync(ConsumeContext context, int redelivery, TimeSpan delay, Exception failure)
    {
        var receive = context.ReceiveContext;
        var headers = MlopsHeaders.PlainTransportHeaders(receive);
        var reason = Truncate($"{failure.GetType().Name}: {failure.Message}", 1000);
        headers[MlopsHeaders.RedeliveryCount] = redelivery.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers[MlopsHeaders.RedeliveryReason] = reason;
        var contentType = receive.ContentType?.ToString() ?? "application/vnd.masstransit+json";

        var message = new OutboxMessage
        {
            Producer = producer.Value,
            MessageId = context.MessageId ?? NewId.NextGuid(),
            DestinationAddress = receive.InputAddress.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            ContentType = contentType,
            Body = MlopsHeaders.WithRedeliveryHeaders(System.Text.Encoding.UTF8.GetString(receive.Body.GetBytes()), contentType, redelivery, reason),
            Headers = SystemTextJsonMessageSerializer.Instance.SerializeDictionary(headers),
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress?.ToString(),
            ResponseAddress = context.ResponseAddress?.ToString(),
            FaultAddress = context.FaultAddress?.ToString(),
            SentTime = context.SentTime ?? DateTime.UtcNow,
            DelayMilliseconds = delay.TotalMilliseconds,
        };

        try
        {
            // Its own connection and transaction: the consumer's transaction has rolled back, and this row must commit on its own.
            await using var connection = await dataSource.OpenConnectionAsync(CancellationToken.None);
            await OutboxWriter.InsertAsync(connection, null, message, CancellationToken.None);
        }
        catch (Exception exception) when (TransientFailures.IsTransient(exception))
        {
            // The database is down, so the message can be neither redelivered through the outbox nor dead-lettered in the table.
            // Acknowledging it would lose it. Instead it is held a moment (the backoff: the slot stays busy, so this endpoint slows
            // down instead of spinning) and then handed back to RabbitMQ unacknowledged: the error pipe rethrows this exception,
            // MassTransit nacks with requeue, and the message comes back, with its redelivery count unchanged, once it is its turn.
            await Task.Delay(options.Value.Redelivery.HoldWhenDatabaseDown, CancellationToken.None);
            throw new RedeliveryUnavailableException(
                $"The redelivery of message {message.MessageId} could not be written ({exception.Message}); RabbitMQ requeues it.", exception);
        }

        signal.Notify();
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
