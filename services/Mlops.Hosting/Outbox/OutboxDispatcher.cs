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
/// Sends this service's committed outbox rows to the broker and stamps them delivered, a batch at a time: a batch's sends are
/// started oldest first and in flight together, so it waits for the broker's confirms once rather than once per row.
/// Up to <see cref="OutboxOptions.MaxBatchesInFlight"/> batches are in flight at once (pipelining): once a batch's sends
/// have all been started, the next batch is claimed while its confirms come back, and a commit that signals new rows is
/// claimed at once instead of after the batch in flight is stamped.
/// Why this keeps the outbox's guarantees:
/// - Each batch is its own transaction that holds its rows' locks (FOR UPDATE) from the claim until the commit that stamps
///   them, and every claim skips locked rows (SKIP LOCKED): two batches in flight, of this process or of another instance
///   of the service, never hold the same row, so a row is sent at most once per claim. Only committed rows are visible to a claim.
/// - A crash anywhere between claim and stamp rolls the batch's transaction back: its rows are unlocked, undelivered, and
///   claimed again after restart (a repeated send carries the same MessageId; the receiving inbox drops it).
/// - A stop ends the claiming, never the batches in flight: every one of them awaits its confirms (SendTimeout bounds them)
///   and stamps and commits with no cancellation, so what the broker confirmed is not sent again at the next start.
/// - A transient failure in any batch stops the claiming; the batches in flight are finished (what was confirmed is
///   stamped), then the dispatcher backs off, capped, for ever: it never parks a row.
/// Ordering: a batch's sends are all started before the next batch is claimed, so sends start in sequence order; a row
/// retried after a failure can be overtaken by the rows of the batches that were in flight with it (docs/reliability.md).
/// Scheduled rows (deadlines, delayed redeliveries) go out once their time has come.
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

        // Oldest first: batches are stamped in the order they were claimed.
        var inFlight = new Queue<PendingBatch>();
        var failures = 0;
        var claim = true;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                Exception? failure = null;
                try
                {
                    if (claim && inFlight.Count < Options.MaxBatchesInFlight)
                    {
                        var batch = await ClaimAsync(stoppingToken);
                        if (batch is not null)
                        {
                            inFlight.Enqueue(batch);
                            // A full batch says more rows may be due now: claim the next one while this one's confirms come back.
                            claim = batch.Claimed == Options.BatchSize;
                            continue;
                        }
                        claim = false;
                    }

                    if (inFlight.Count > 0)
                    {
                        var oldest = inFlight.Peek();
                        // While there is room for another batch, a commit's signal claims its rows at once rather than after the stamp.
                        if (inFlight.Count < Options.MaxBatchesInFlight && await SignalledBeforeAsync(oldest.Confirmed, stoppingToken))
                        {
                            claim = true;
                            continue;
                        }
                        var result = await CompleteAsync(inFlight.Dequeue(), inFlight, stoppingToken);
                        if (result.TransientFailure is null)
                        {
                            failures = 0;
                            continue;
                        }
                        failure = result.TransientFailure;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    // The database itself (claim, stamp) failed: the rows stay as they are and are claimed again later.
                    failure = exception;
                }

                // Nothing is in flight on the way here without a failure: wait for a signal, the next scheduled row or the poll.
                var wait = TimeSpan.Zero;
                if (failure is null)
                {
                    try
                    {
                        wait = await TimeUntilNextDueAsync(stoppingToken);
                        failures = 0;
                    }
                    catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception exception)
                    {
                        failure = exception;
                    }
                }
                if (failure is not null)
                {
                    // Nothing new is claimed until the batches in flight are finished: a broker that is down is not hammered.
                    await CompleteAllAsync(inFlight, stoppingToken);
                    failures++;
                    wait = Backoff(failures);
                    LogDispatchFailed(failure, wait.TotalMilliseconds);
                }

                await signal.WaitAsync(wait, stoppingToken);
                claim = true;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // A stop keeps further batches from being claimed, never the stamp of what is in flight.
            await CompleteAllAsync(inFlight, stoppingToken);
        }
    }

    /// <summary>
    /// Waits for either the oldest batch's confirms or a commit's signal; true when the signal came first (it is consumed).
    /// </summary>
    private async Task<bool> SignalledBeforeAsync(Task confirmed, CancellationToken stoppingToken)
    {
        if (confirmed.IsCompleted)
            return false;
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var signalled = signal.WaitAsync(Timeout.InfiniteTimeSpan, abandon.Token);
        if (await Task.WhenAny(signalled, confirmed) == signalled)
            return await signalled;
        await abandon.CancelAsync();
        try
        {
            // A signal granted just before the wait was abandoned is not lost: it counts as signalled.
            return await signalled;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private async Task CompleteAllAsync(Queue<PendingBatch> inFlight, CancellationToken stoppingToken)
    {
        while (inFlight.TryDequeue(out var batch))
        {
            try
            {
                await CompleteAsync(batch, inFlight, stoppingToken);
            }
            catch (Exception exception)
            {
                // Its transaction is rolled back: the rows are unlocked, undelivered, and claimed again later.
                LogDispatchFailed(exception, 0);
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
        var batch = await ClaimAsync(cancellationToken);
        return batch is null ? new OutboxBatchResult(0, 0, 0, null) : await CompleteAsync(batch, [], cancellationToken);
    }

    /// <summary>
    /// Claims a batch of due rows in a transaction of its own (their locks are held until <see cref="CompleteAsync"/> commits),
    /// parks the rows that can never be sent and starts the sends of the others, oldest first; null when no row is due.
    /// </summary>
    private async Task<PendingBatch?> ClaimAsync(CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        NpgsqlTransaction? transaction = null;
        try
        {
            transaction = await connection.BeginTransactionAsync(cancellationToken);
            var rows = (await connection.QueryAsync<OutboxRecord>(new CommandDefinition(ClaimSql,
                new { Producer = producer.Value, Options.BatchSize }, transaction, cancellationToken: cancellationToken))).ToList();
            if (rows.Count == 0)
            {
                await transaction.CommitAsync(cancellationToken);
                await transaction.DisposeAsync();
                await connection.DisposeAsync();
                return null;
            }

            // Rows that can never be sent are parked before any send starts, so nothing below can fail with sends in flight.
            var batch = new PendingBatch(connection, transaction, rows.Count);
            var sendable = new List<OutboxRecord>(rows.Count);
            foreach (var row in rows)
            {
                if (Validate(row) is { } poison)
                {
                    await ParkAsync(connection, transaction, row, poison);
                    batch.Parked++;
                }
                else
                {
                    sendable.Add(row);
                }
            }

            // A stop only keeps further sends from starting; a send already handed to the broker is awaited (SendTimeout
            // bounds it) so that what was sent is stamped delivered.
            foreach (var row in sendable)
            {
                if (cancellationToken.IsCancellationRequested)
                    break;
                batch.Sends.Add((row, SendAsync(row)));
            }
            batch.Confirmed = AllSettledAsync(batch.Sends);
            return batch;
        }
        catch
        {
            // Only the claim or a park can fail here, before any send started: rolling back leaves the rows as they were.
            if (transaction is not null)
                await transaction.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task AllSettledAsync(List<(OutboxRecord Row, Task Send)> sends)
    {
        foreach (var (_, send) in sends)
        {
            try
            {
                await send;
            }
            catch (Exception)
            {
                // Judged row by row in CompleteAsync.
            }
        }
    }

    /// <summary>
    /// Awaits a claimed batch's confirms, re-sends alone what a refusal may have failed, stamps what the broker confirmed
    /// and commits, with no cancellation: this runs to its end even while the host stops.
    /// </summary>
    private async Task<OutboxBatchResult> CompleteAsync(PendingBatch batch, IEnumerable<PendingBatch> others, CancellationToken stoppingToken)
    {
        await using var connection = batch.Connection;
        await using var transaction = batch.Transaction;
        var parked = batch.Parked;

        var delivered = new List<long>(batch.Sends.Count);
        var suspects = new List<OutboxRecord>();
        Exception? transient = null;
        foreach (var (row, send) in batch.Sends)
        {
            try
            {
                await send;
                delivered.Add(row.SequenceNumber);
            }
            catch (Exception exception) when (TransientFailures.IsTransient(exception))
            {
                // The first transient failure in sequence order is counted on its row for operators to see (it never parks a
                // row) and ends the batch. Rows the broker confirmed anyway are stamped.
                if (transient is null)
                {
                    transient = exception;
                    await RecordFailureAsync(connection, transaction, row, exception);
                }
            }
            catch (Exception)
            {
                // A refusal (406) closes the channel, failing the other sends in flight on it the same way, in this batch or in
                // another: only a row refused when sent alone is poison.
                suspects.Add(row);
            }
        }

        if (suspects.Count > 0 && transient is null && !stoppingToken.IsCancellationRequested)
        {
            // Alone means no send of any other batch in flight either: the dispatcher claims nothing while this runs, and the
            // batches claimed after this one have started all their sends, so waiting for their confirms leaves nothing in flight.
            await Task.WhenAll(others.Select(other => other.Confirmed));
            foreach (var row in suspects)
            {
                if (stoppingToken.IsCancellationRequested)
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
                    break;
                }
                catch (Exception exception)
                {
                    await ParkAsync(connection, transaction, row, exception);
                    parked++;
                }
            }
        }

        // Whatever the broker confirmed is stamped even while the host stops: otherwise it would all be sent again on restart.
        if (delivered.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(DeliveredSql, new { Ids = delivered }, transaction, cancellationToken: CancellationToken.None));
        await transaction.CommitAsync(CancellationToken.None);

        return new OutboxBatchResult(batch.Claimed, delivered.Count, parked, transient);
    }

    /// <summary>A claimed batch whose sends are in flight: its transaction holds the rows' locks until it is completed.</summary>
    private sealed class PendingBatch(NpgsqlConnection connection, NpgsqlTransaction transaction, int claimed)
    {
        public NpgsqlConnection Connection { get; } = connection;
        public NpgsqlTransaction Transaction { get; } = transaction;
        public int Claimed { get; } = claimed;
        public int Parked { get; set; }
        public List<(OutboxRecord Row, Task Send)> Sends { get; } = [];

        /// <summary>Completes (never faults) once every send of the batch has been confirmed or has failed.</summary>
        public Task Confirmed { get; set; } = Task.CompletedTask;
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
