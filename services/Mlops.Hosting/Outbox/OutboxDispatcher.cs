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
/// Sends this service's committed outbox rows to the broker, oldest first, and stamps them delivered.
/// Rows are claimed with FOR UPDATE SKIP LOCKED, so several instances of a service never send the same row at once.
/// A crash between the broker's confirm and the stamp re-sends the row with the same MessageId on restart;
/// the receiving inbox drops that duplicate. Scheduled rows (deadlines) go out once their time has come.
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

        var nextCleanup = DateTime.UtcNow;
        var failures = 0;

        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var sent = await DispatchBatchAsync(stoppingToken);
                failures = 0;
                if (sent == Options.BatchSize)
                    continue;

                if (DateTime.UtcNow >= nextCleanup)
                {
                    await CleanupAsync(stoppingToken);
                    nextCleanup = DateTime.UtcNow + TimeSpan.FromMinutes(10);
                }

                wait = await TimeUntilNextDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                failures++;
                wait = TimeSpan.FromMilliseconds(Math.Min(30_000, 250 * Math.Pow(2, Math.Min(failures, 7))));
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

    /// <summary>Sends one batch of due rows; returns how many were delivered.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var rows = (await connection.QueryAsync<OutboxRecord>(new CommandDefinition(ClaimSql,
            new { Producer = producer.Value, Options.BatchSize, Options.MaxAttempts }, transaction, cancellationToken: cancellationToken))).ToList();
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return 0;
        }

        var delivered = new List<long>(rows.Count);
        foreach (var row in rows)
        {
            try
            {
                await SendAsync(row.Deserialize(), cancellationToken);
                delivered.Add(row.SequenceNumber);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Stop at the first failure: keeps the order of what follows, and a broker that is down is not hammered.
                LogSendFailed(exception, row.MessageId, row.DestinationAddress, row.Attempts + 1);
                await connection.ExecuteAsync(new CommandDefinition(FailedSql,
                    new { row.SequenceNumber, Error = exception.Message }, transaction, cancellationToken: cancellationToken));
                break;
            }
        }

        if (delivered.Count > 0)
            await connection.ExecuteAsync(new CommandDefinition(DeliveredSql, new { Ids = delivered }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        return delivered.Count;
    }

    private async Task SendAsync(OutboxRecord row, CancellationToken cancellationToken)
    {
        // Continue the trace of whoever wrote the row: MassTransit's send span then hangs under it.
        var parent = ((OutboxMessageContext)row).Headers.TryGetHeader("MT-Activity-Id", out var value) && value is string id
            && ActivityContext.TryParse(id, null, out var context)
                ? context
                : default;
        using var activity = MlopsTelemetry.Source.StartActivity("outbox dispatch", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.MessageId.ToString());
        activity?.SetTag("messaging.destination.name", row.Destination.AbsolutePath.TrimStart('/'));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.SendTimeout);

        var endpoint = await bus.GetSendEndpoint(row.Destination);
        await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(row, row.Destination), timeout.Token);
    }

    private async Task<TimeSpan> TimeUntilNextDueAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(NextDueSql,
            new { Producer = producer.Value, Options.MaxAttempts }, cancellationToken: cancellationToken));

        var wait = seconds is null ? Options.PollInterval : TimeSpan.FromSeconds(Math.Max(0, seconds.Value));
        return wait < Options.PollInterval ? wait : Options.PollInterval;
    }

    private async Task CleanupAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CleanupSql, new
        {
            Producer = producer.Value,
            DeliveredRetentionSeconds = Options.DeliveredRetention.TotalSeconds,
            InboxRetentionSeconds = Options.InboxRetention.TotalSeconds,
        }, cancellationToken: cancellationToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox dispatch failed; next attempt in {DelayMilliseconds} ms")]
    private partial void LogDispatchFailed(Exception exception, double delayMilliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox message {MessageId} to {Destination} failed to send (attempt {Attempt})")]
    private partial void LogSendFailed(Exception exception, Guid messageId, string destination, int attempt);

    private const string ClaimSql = """
        SELECT sequence_number AS SequenceNumber, message_id AS MessageId, destination_address AS DestinationAddress,
               message_type AS MessageType, content_type AS ContentType, body AS Body, headers AS HeadersJson,
               properties AS PropertiesJson, conversation_id AS ConversationId, correlation_id AS CorrelationId,
               initiator_id AS InitiatorId, request_id AS RequestId, source_address AS SourceAddressText,
               response_address AS ResponseAddressText, fault_address AS FaultAddressText,
               expiration_time AS ExpirationTime, sent_time AS SentTime, attempts AS Attempts
        FROM messaging.outbox
        WHERE producer = @Producer AND delivered_at IS NULL AND deliver_after <= now() AND attempts < @MaxAttempts
        ORDER BY sequence_number
        LIMIT @BatchSize
        FOR UPDATE SKIP LOCKED
        """;

    private const string DeliveredSql = "UPDATE messaging.outbox SET delivered_at = now() WHERE sequence_number = ANY(@Ids)";

    private const string FailedSql = """
        UPDATE messaging.outbox
        SET attempts = attempts + 1, last_error = @Error,
            deliver_after = now() + make_interval(secs => least(300, power(2, attempts)))
        WHERE sequence_number = @SequenceNumber
        """;

    private const string NextDueSql = """
        SELECT extract(epoch FROM min(deliver_after) - now())::float8
        FROM messaging.outbox
        WHERE producer = @Producer AND delivered_at IS NULL AND attempts < @MaxAttempts
        """;

    private const string CleanupSql = """
        DELETE FROM messaging.outbox
        WHERE producer = @Producer AND delivered_at < now() - make_interval(secs => @DeliveredRetentionSeconds);
        DELETE FROM messaging.inbox
        WHERE processed_at < now() - make_interval(secs => @InboxRetentionSeconds);
        """;
}
