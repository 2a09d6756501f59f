using System.Diagnostics;
using Dapper;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Telemetry;
using Npgsql;

namespace Mlops.Hosting.Outbox;

/// <summary>
/// Sends this service's committed outbox rows to the broker and stamps them delivered: a batch at a time, its sends started
/// oldest first and in flight together, so the batch waits for the broker's confirms once rather than once per row.
/// Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances of a service never send the same row at once.
/// A crash between the broker's confirm and the stamp re-sends the row with the same MessageId on restart;
/// the receiving inbox drops that duplicate. Scheduled rows (deadlines, delayed redeliveries) go out once their time has come.
/// A transient failure (broker unreachable, send timeout) stops the batch and backs off, capped, for ever: it never parks a row.
/// A row that can never be sent (unreadable headers, no valid destination, too large for the broker) is parked at once with
/// its reason, and the rows behind it go on.
/// </summary>
public sealed partial class OutboxDispatcher(
    NpgsqlDataSource dataSource,
    IBus bus,
    OutboxDispatcherSignal signal,
    ProducerName producer,
    IOptions<MessagingOptions> options,
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private OutboxOptions Options => options.Value.Outbox;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Options.DispatcherEnabled)
            return;

        var failures = 0;

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var batch = await DispatchBatchAsync(stoppingToken);
                if (batch.TransientFailure is { } failure)
                {
                    failures++;
                    wait = Backoff(failures);
                    LogDispatchFailed(failure, wait.TotalMilliseconds);
                }
                else
                {
                    failures = 0;
                    if (batch.Claimed == Options.BatchSize)
                        continue;
                    wait = await TimeUntilNextDueAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                // The database itself (claim, stamp) failed: the rows stay as they are and are claimed again later.
                failures++;
                wait = Backoff(failures);
                LogDispatchFailed(exception, wait.TotalMilliseconds);
            }

            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var milliseconds = Options.RetryInitial.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 20));
        return TimeSpan.FromMilliseconds(Math.Min(Options.RetryMax.TotalMilliseconds, milliseconds));
    }

    /// <summary>Sends one batch of due rows: how many were claimed, delivered and parked, and the transient failure that stopped it, if any.</summary>
    public async Task<OutboxBatchResult> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = (await connection.QueryAsync<OutboxRecord>(new CommandDefinition(ClaimSql,
            new { Producer = producer.Value, Options.BatchSize }, transaction, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return new OutboxBatchResult(0, 0, 0, null);
        }

        // Every sendable row of the batch goes out at once, oldest first, and the broker's confirms come back together:
        // one round trip per batch instead of one per row. A stop only keeps further sends from starting; a send already
        // handed to the broker is awaited (SendTimeout bounds it) so that what was sent is stamped delivered below.
        var sends = new List<(OutboxRecord Row, Task Send)>(rows.Count);
        var parked = 0;
        foreach (var row in rows)
        {
            if (cancellationToken.IsCancellationRequested)
                break;
            if (Validate(row) is { } poison)
            {
                await ParkAsync(connection, transaction, row, poison);
                parked++;
                continue;
            }
            sends.Add((row, SendAsync(row)));
        }

        var delivered = new List<long>(sends.Count);
        var suspects = new List<OutboxRecord>();
        Exception? transient = null;
        foreach (var (row, send) in sends)
        {
            try
            {
                await send;
                delivered.Add(row.SequenceNumber);
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception))
            {
                // The first transient failure in sequence order is counted on its row for operators to see (it never parks a
                // row) and ends the batch: a broker that is down is not hammered. Rows the broker confirmed anyway are stamped.
                if (transient is null)
                {
                    transient = exception;
                    await RecordFailureAsync(connection, transaction, row, exception);
                }
            }
            catch (Exception exception)
            {
                // A refusal (406) closes the channel, failing the other sends in flight on it the same way: only a row
                // refused when sent on its own is poison.
                if (sends.Count == 1)
                {
                    await ParkAsync(connection, transaction, row, exception);
                    parked++;
                }
                else
                {
                    suspects.Add(row);
                }
            }
        }

        foreach (var row in suspects)
        {
            if (transient is not null || cancellationToken.IsCancellationRequested)
                break;
            try
            {
                await SendAsync(row);
                delivered.Add(row.SequenceNumber);
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception))
            {
                transient = exception;
                await RecordFailureAsync(connection, transaction, row, exception);
            }
            catch (Exception exception)
            {
                await ParkAsync(connection, transaction, row, exception);
                parked++;
            }
        }

        // Whatever the broker confirmed is stamped even while the host stops: otherwise it would all be sent again on restart.
        if (delivered.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(DeliveredSql, new { Ids = delivered }, transaction, cancellationToken: CancellationToken.None));
        await transaction.CommitAsync(CancellationToken.None);

        return new OutboxBatchResult(rows.Count, delivered.Count, parked, transient);
    }

    private Task RecordFailureAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxRecord row, Exception exception)
    {
        LogSendFailed(exception, row.MessageId, row.DestinationAddress, row.Attempts + 1);
        return connection.ExecuteAsync(new CommandDefinition(FailedSql,
            new { row.SequenceNumber, Error = Describe(exception) }, transaction, cancellationToken: CancellationToken.None));
    }

    private Task ParkAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, OutboxRecord row, Exception reason)
    {
        LogParked(reason, row.MessageId, row.DestinationAddress);
        return connection.ExecuteAsync(new CommandDefinition(ParkSql,
            new { row.SequenceNumber, Error = Describe(reason) }, transaction, cancellationToken: CancellationToken.None));
    }

    /// <summary>The reason a row can never be sent, or null when it can be tried.</summary>
    private Exception? Validate(OutboxRecord row)
    {
        try
        {
            if (System.Text.Encoding.UTF8.GetByteCount(row.Body) > Options.MaxMessageBytes)
                throw new InvalidOperationException(
                    $"The body is larger than {Options.MaxMessageBytes} bytes (Messaging:Outbox:MaxMessageBytes), more than the broker accepts.");
            row.Deserialize();
            return null;
        }
        catch (Exception exception)
        {
            return exception;
        }
    }

    private static string Describe(Exception exception) => $"{exception.GetType().Name}: {exception.Message}";

    /// <summary>One send, bounded by <see cref="OutboxOptions.SendTimeout"/> alone: a stopping host does not cut a send short.</summary>
    private async Task SendAsync(OutboxRecord row)
    {
        // Continue the trace of whoever wrote the row: MassTransit's send span then hangs under it.
        var parent = ((OutboxMessageContext)row).Headers.TryGetHeader("MT-Activity-Id", out var value) && value is string id
            && ActivityContext.TryParse(id, null, out var context)
                ? context
                : default;
        using var activity = MlopsTelemetry.Source.StartActivity("outbox dispatch", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        activity?.SetTag("messaging.destination.name", row.Destination.AbsolutePath.TrimStart('/'));

        using var timeout = new CancellationTokenSource(Options.SendTimeout);
        var endpoint = await bus.GetSendEndpoint(row.Destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(row, row.Destination), timeout.Token);
    }

    private async Task<TimeSpan> TimeUntilNextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(NextDueSql,
            new { Producer = producer.Value }, cancellationToken: cancellationToken));

        var wait = seconds is null ? Options.PollInterval : TimeSpan.FromSeconds(Math.Max(0, seconds.Value));
        return wait < Options.PollInterval ? wait : Options.PollInterval;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; next attempt in {DelayMilliseconds} ms")]
    private partial void LogDispatchFailed(Exception exception, double delayMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} to {Destination} failed to send (attempt {Attempt}); it will be retried")]
    private partial void LogSendFailed(Exception exception, Guid messageId, string destination, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox message {MessageId} to {Destination} can never be sent: parked, the rows behind it go on")]
    private partial void LogParked(Exception exception, Guid messageId, string destination);

    private const string ClaimSql = """
        SELECT sequence_number AS SequenceNumber, message_id AS MessageId, destination_address AS DestinationAddress,
               message_type AS MessageType, content_type AS ContentType, body AS Body, headers AS HeadersJson,
               properties AS PropertiesJson, conversation_id AS ConversationId, correlation_id AS CorrelationId,
               initiator_id AS InitiatorId, request_id AS RequestId, source_address AS SourceAddressText,
               response_address AS ResponseAddressText, fault_address AS FaultAddressText,
               expiration_time AS ExpirationTime, sent_time AS SentTime, attempts AS Attempts
        FROM messaging.outbox
        WHERE producer = @Producer AND delivered_at IS NULL AND parked_at IS NULL AND deliver_after <= now()
        ORDER BY sequence_number
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;

    private const string DeliveredSql = "UPDATE messaging.outbox SET delivered_at = now() WHERE sequence_number = ANY(@Ids)";

    private const string FailedSql = """
        UPDATE messaging.outbox SET attempts = attempts + 1, last_error = @Error WHERE sequence_number = @SequenceNumber
        """;

    private const string ParkSql = """
        UPDATE messaging.outbox SET attempts = attempts + 1, last_error = @Error, parked_at = now() WHERE sequence_number = @SequenceNumber
        """;

    private const string NextDueSql = """
        SELECT extract(epoch FROM min(deliver_after) - now())::float8
        FROM messaging.outbox
        WHERE producer = @Producer AND delivered_at IS NULL AND parked_at IS NULL
        """;
}
