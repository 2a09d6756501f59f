using System.Runtime.CompilerServices;
using Dapper;
using MassTransit;
using MassTransit.Context;
using MassTransit.Serialization;
using Mlops.Hosting.Data;
using Npgsql;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Turns a fully formed MassTransit send context (serialised body, headers, addresses, delay) into an outbox row
/// inside the caller's transaction. Nothing reaches the broker until that transaction commits. The rows of one session are
/// gathered and written in one statement just before it commits (<see cref="DbSession.BeforeCommit"/>), in the batch of the
/// session's queued writes (<see cref="DbSession.Enqueue"/>): a consumer or a request that publishes many messages pays one
/// round trip for all of them and for its other queued writes, not one each.
/// </summary>
public sealed class OutboxWriter(OutboxDispatcherSignal signal, ProducerName producer)
{
    private readonly ConditionalWeakTable<DbSession, PendingRows> _pending = new();

    public Task AddAsync<T>(DbSession session, SendContext<T> context)
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

        var pending = _pending.GetValue(session, s => new PendingRows(s));
        pending.Rows.Add(row);
        session.BeforeCommit(pending.WriteAsync);
        session.AfterCommit(signal.Notify);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A session's rows not yet written; just before it commits they become one statement, queued with the session's other
    /// writes (e.g. the saga's new state) so that all of them take one round trip.
    /// </summary>
    private sealed class PendingRows(DbSession session)
    {
        public List<OutboxMessage> Rows { get; } = [];

        public Task WriteAsync(CancellationToken cancellationToken)
        {
            if (Rows.Count == 0)
                return Task.CompletedTask;
            var rows = Rows.ToArray();
            Rows.Clear();
            // One row (most consumers and sagas) as plain VALUES: cheaper for the server to plan than unnest over arrays.
            session.Enqueue(rows.Length == 1 ? SingleRow(rows[0]) : ManyRows(rows));
            return Task.CompletedTask;
        }

        private static NpgsqlBatchCommand SingleRow(OutboxMessage row)
        {
            var statement = new NpgsqlBatchCommand(InsertSql);
            Add(statement, nameof(row.Producer), row.Producer);
            Add(statement, nameof(row.MessageId), row.MessageId);
            Add(statement, nameof(row.DestinationAddress), row.DestinationAddress);
            Add(statement, nameof(row.MessageType), row.MessageType);
            Add(statement, nameof(row.ContentType), row.ContentType);
            Add(statement, nameof(row.Body), row.Body);
            Add(statement, nameof(row.Headers), row.Headers);
            Add(statement, nameof(row.Properties), row.Properties);
            Add(statement, nameof(row.ConversationId), row.ConversationId);
            Add(statement, nameof(row.CorrelationId), row.CorrelationId);
            Add(statement, nameof(row.InitiatorId), row.InitiatorId);
            Add(statement, nameof(row.RequestId), row.RequestId);
            Add(statement, nameof(row.SourceAddress), row.SourceAddress);
            Add(statement, nameof(row.ResponseAddress), row.ResponseAddress);
            Add(statement, nameof(row.FaultAddress), row.FaultAddress);
            Add(statement, nameof(row.ExpirationTime), row.ExpirationTime);
            Add(statement, nameof(row.SentTime), row.SentTime);
            Add(statement, nameof(row.SchedulingTokenId), row.SchedulingTokenId);
            Add(statement, nameof(row.DelayMilliseconds), row.DelayMilliseconds);
            return statement;
        }

        private static NpgsqlBatchCommand ManyRows(OutboxMessage[] rows)
        {
            var statement = new NpgsqlBatchCommand(InsertManySql);
            Add(statement, "Producers", rows.Select(r => r.Producer).ToArray());
            Add(statement, "MessageIds", rows.Select(r => r.MessageId).ToArray());
            Add(statement, "DestinationAddresses", rows.Select(r => r.DestinationAddress).ToArray());
            Add(statement, "MessageTypes", rows.Select(r => r.MessageType).ToArray());
            Add(statement, "ContentTypes", rows.Select(r => r.ContentType).ToArray());
            Add(statement, "Bodies", rows.Select(r => r.Body).ToArray());
            Add(statement, "Headers", rows.Select(r => r.Headers).ToArray());
            Add(statement, "Properties", rows.Select(r => r.Properties).ToArray());
            Add(statement, "ConversationIds", rows.Select(r => r.ConversationId).ToArray());
            Add(statement, "CorrelationIds", rows.Select(r => r.CorrelationId).ToArray());
            Add(statement, "InitiatorIds", rows.Select(r => r.InitiatorId).ToArray());
            Add(statement, "RequestIds", rows.Select(r => r.RequestId).ToArray());
            Add(statement, "SourceAddresses", rows.Select(r => r.SourceAddress).ToArray());
            Add(statement, "ResponseAddresses", rows.Select(r => r.ResponseAddress).ToArray());
            Add(statement, "FaultAddresses", rows.Select(r => r.FaultAddress).ToArray());
            Add(statement, "ExpirationTimes", rows.Select(r => r.ExpirationTime).ToArray());
            Add(statement, "SentTimes", rows.Select(r => r.SentTime).ToArray());
            Add(statement, "SchedulingTokenIds", rows.Select(r => r.SchedulingTokenId).ToArray());
            Add(statement, "DelaysMilliseconds", rows.Select(r => r.DelayMilliseconds).ToArray());
            return statement;
        }

        private static void Add(NpgsqlBatchCommand statement, string name, object? value) =>
            statement.Parameters.Add(new NpgsqlParameter(name, value ?? DBNull.Value));
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

    // WITH ORDINALITY keeps the rows' sequence numbers in the order they were published.
    private const string InsertManySql = """
        INSERT INTO messaging.outbox (
            producer, message_id, destination_address, message_type, content_type, body, headers, properties,
            conversation_id, correlation_id, initiator_id, request_id, source_address, response_address, fault_address,
            expiration_time, sent_time, scheduling_token_id, deliver_after)
        SELECT producer, message_id, destination_address, message_type, content_type, body, headers, properties,
               conversation_id, correlation_id, initiator_id, request_id, source_address, response_address, fault_address,
               expiration_time, sent_time, scheduling_token_id, now() + make_interval(secs => delay_ms / 1000.0)
        FROM unnest(@Producers, @MessageIds, @DestinationAddresses, @MessageTypes, @ContentTypes, @Bodies, @Headers, @Properties,
                    @ConversationIds, @CorrelationIds, @InitiatorIds, @RequestIds, @SourceAddresses, @ResponseAddresses, @FaultAddresses,
                    @ExpirationTimes, @SentTimes, @SchedulingTokenIds, @DelaysMilliseconds)
            WITH ORDINALITY AS r(producer, message_id, destination_address, message_type, content_type, body, headers, properties,
                                 conversation_id, correlation_id, initiator_id, request_id, source_address, response_address, fault_address,
                                 expiration_time, sent_time, scheduling_token_id, delay_ms, position)
        ORDER BY position
        """;
}
