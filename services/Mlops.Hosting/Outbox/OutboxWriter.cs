using Dapper;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Turns a fully formed MassTransit send context (serialised body, headers, addresses, delay) into an outbox row
/// inside the caller's transaction. Nothing reaches the broker until that transaction commits.
/// </summary>
public sealed class OutboxWriter(OutboxDispatcherSignal signal, ProducerName producer)
{
    public async Task AddAsync<T>(DbSession session, SendContext<T> context)
        where T : class
    {
        if (context.MessageId is not { } messageId)
            throw new MessageException(typeof(T), "An outbox message needs a MessageId.");
        if (context.DestinationAddress is null)
            throw new MessageException(typeof(T), "An outbox message needs a destination address.");

        var body = context.Serializer.GetMessageBody(context);
        var serializer = SystemTextJsonMessageSerializer.Instance;

        string? properties = null;
        if (context is TransportSendContext<T> transportContext)
        {
            var values = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportContext.WritePropertiesTo(values);
            // The delay lives in deliver_after: replayed as a transport property it would ask RabbitMQ for the delayed-exchange plugin.
            values.Remove("Delay");
            properties = serializer.SerializeDictionary(values);
        }

        var row = new OutboxMessage
        {
            Producer = producer.Value,
            MessageId = messageId,
            DestinationAddress = context.DestinationAddress.ToString(),
            MessageType = string.Join(";", context.SupportedMessageTypes),
            ContentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString(),
            Body = body.GetString(),
            Headers = serializer.SerializeDictionary(context.Headers.GetAll()),
            Properties = properties,
            ConversationId = context.ConversationId,
            CorrelationId = context.CorrelationId,
            InitiatorId = context.InitiatorId,
            RequestId = context.RequestId,
            SourceAddress = context.SourceAddress?.ToString(),
            ResponseAddress = context.ResponseAddress?.ToString(),
            FaultAddress = context.FaultAddress?.ToString(),
            ExpirationTime = context.TimeToLive is { } ttl ? DateTime.UtcNow + ttl : (DateTime?)null,
            SentTime = context.SentTime ?? DateTime.UtcNow,
            SchedulingTokenId = context.ScheduledMessageId,
            DelayMilliseconds = context.Delay is { } delay && delay > TimeSpan.Zero ? delay.TotalMilliseconds : 0d,
        };

        await InsertAsync(session.Connection, session.Transaction, row, context.CancellationToken);
        session.AfterCommit(signal.Notify);
    }

    /// <summary>
    /// Writes an already serialised message (a delayed redelivery, a replayed dead letter) as an outbox row; the caller
    /// commits and then calls <see cref="OutboxDispatcherSignal.Notify"/> when the row is this process's to send.
    /// </summary>
    public static Task InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, OutboxMessage message, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(InsertSql, message, transaction, cancellationToken: cancellationToken));

    private const string InsertSql = """
        INSERT INTO messaging.outbox (
            producer, message_id, destination_address, message_type, content_type, body, headers, properties,
            conversation_id, correlation_id, initiator_id, request_id, source_address, response_address, fault_address,
            expiration_time, sent_time, scheduling_token_id, deliver_after)
        VALUES (
            @Producer, @MessageId, @DestinationAddress, @MessageType, @ContentType, @Body, @Headers, @Properties,
            @ConversationId, @CorrelationId, @InitiatorId, @RequestId, @SourceAddress, @ResponseAddress, @FaultAddress,
            @ExpirationTime, @SentTime, @SchedulingTokenId, now() + make_interval(secs => @DelayMilliseconds / 1000.0))
        """;
}
