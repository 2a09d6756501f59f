using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Options;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Serving.Inference;

/// <summary>
/// Drains the inference log in batches: each batch (one model's rows, its id fixed before the first attempt) is written by
/// binary COPY, recorded in serving.logged_batches and announced by PredictionsLogged in one transaction, so Monitoring hears
/// of exactly the rows that exist and a retried commit never writes a row twice. A transient failure is retried with capped
/// backoff, forever; a batch PostgreSQL refuses is split until the refused rows are found and set aside in
/// serving.inference_log_rejects, and the rows behind go on. At shutdown the writer drains for at most DrainTimeout and
/// spills the rest to a local file, replayed at the next start.
/// </summary>
public sealed partial class InferenceLogWriter(
    InferenceLog log,
    InferenceLogSpill spill,
    IServiceScopeFactory scopes,
    OutboxPublisher outbox,
    IOptions<ServingOptions> options,
    ILogger<InferenceLogWriter> logger) : BackgroundService
{
    private static readonly string Instance = $"serving@{Environment.MachineName}/{Environment.ProcessId}";

    private readonly CancellationTokenSource _abandon = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Stopping is driven by StopAsync: intake closes, the queue drains, and only the drain deadline abandons writing.
        var abandon = _abandon.Token;
        var settings = options.Value.InferenceLog;
        var rows = new List<InferenceRecord>(settings.BatchSize);
        var work = new List<LogBatch>();
        try
        {
            // Replaying reads files: not on the thread that is starting the host.
            await Task.Yield();
            await ReplaySpilledAsync(abandon);
            while (await log.Reader.WaitToReadAsync(abandon))
            {
                await FillAsync(rows, settings, abandon);
                log.Writing(rows[0].ServedAt);
                foreach (var group in rows.GroupBy(r => r.ModelName))
                    work.Add(new LogBatch(Guid.NewGuid(), group.Key, group.ToList()));
                rows.Clear();
                await WriteAllAsync(work, reserved: true, abandon);
                log.Writing(null);
            }
        }
        catch (Exception) when (abandon.IsCancellationRequested)
        {
            // The drain deadline passed: whatever is not written yet goes to the spill file below.
        }

        while (log.Reader.TryRead(out var record))
            rows.Add(record);
        foreach (var group in rows.GroupBy(r => r.ModelName))
            work.Add(new LogBatch(Guid.NewGuid(), group.Key, group.ToList()));
        if (work.Count == 0)
            return;
        spill.Write(work);
        log.Release(work.Sum(b => b.Rows.Count));
        log.Writing(null);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        log.Complete();
        _abandon.CancelAfter(options.Value.InferenceLog.DrainTimeout);
        await using var registration = cancellationToken.Register(_abandon.Cancel);
        if (ExecuteTask is { } running)
            await running;
        await base.StopAsync(CancellationToken.None);
    }

    public override void Dispose()
    {
        _abandon.Dispose();
        base.Dispose();
    }

    private async Task ReplaySpilledAsync(CancellationToken cancellationToken)
    {
        foreach (var file in spill.Files())
        {
            if (spill.Read(file) is not { } batches)
                continue;
            var work = batches.ToList();
            await WriteAllAsync(work, reserved: false, cancellationToken);
            spill.Remove(file);
            LogReplayed(batches.Sum(b => b.Rows.Count), file);
        }
    }

    /// <summary>
    /// Fills a batch until it is full or its oldest row has waited <see cref="InferenceLogOptions.FlushInterval"/>. The window
    /// runs from when that row was answered, not from when this batch began: rows that queued up while the previous batch was
    /// being written have waited already, and what waits is what a kill -9 loses.
    /// </summary>
    private async Task FillAsync(List<InferenceRecord> batch, InferenceLogOptions settings, CancellationToken cancellationToken)
    {
        Take(batch, settings.BatchSize);
        if (batch.Count is 0 || batch.Count >= settings.BatchSize)
            return;
        var remaining = settings.FlushInterval - (DateTimeOffset.UtcNow - batch[0].ServedAt);
        if (remaining <= TimeSpan.Zero)
            return;

        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(remaining);
        try
        {
            while (batch.Count < settings.BatchSize && await log.Reader.WaitToReadAsync(window.Token))
                Take(batch, settings.BatchSize);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The flush interval ended the batch.
        }
    }

    private void Take(List<InferenceRecord> batch, int batchSize)
    {
        while (batch.Count < batchSize && log.Reader.TryRead(out var record))
            batch.Add(record);
    }

    /// <summary>
    /// Writes the batches front to back. A refused batch is replaced in place by its two halves (new ids: it never committed)
    /// until a single refused row is left, which is set aside. What is still in <paramref name="work"/> when writing is
    /// abandoned has not been written, or its commit was not confirmed: spilled with its id, it is replayed safely.
    /// </summary>
    private async Task WriteAllAsync(List<LogBatch> work, bool reserved, CancellationToken cancellationToken)
    {
        while (work.Count > 0)
        {
            var batch = work[0];
            var refusal = await WriteWithRetryAsync(batch, cancellationToken);
            if (refusal is not null && batch.Rows.Count > 1)
            {
                var half = batch.Rows.Count / 2;
                work[0] = batch with { BatchId = Guid.NewGuid(), Rows = batch.Rows.Take(half).ToList() };
                work.Insert(1, batch with { BatchId = Guid.NewGuid(), Rows = batch.Rows.Skip(half).ToList() });
                continue;
            }
            if (refusal is not null)
                await RejectWithRetryAsync(batch.Rows[0], refusal, cancellationToken);
            work.RemoveAt(0);
            if (reserved)
                log.Release(batch.Rows.Count);
        }
    }

    /// <summary>Null once the batch is written (now or by an earlier attempt); the refusal when PostgreSQL refuses its data.</summary>
    private async Task<Exception?> WriteWithRetryAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch, cancellationToken);
                return null;
            }
            catch (Exception exception) when (DatabaseFailure.IsPoison(exception))
            {
                return exception;
            }
            catch (Exception exception) when (DatabaseFailure.IsRetryable(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff(attempt);
                if (DatabaseFailure.IsTransient(exception))
                    LogWriteFailed(exception, batch.Rows.Count, attempt, delay.TotalMilliseconds);
                else
                    LogWriteFailedUnexpectedly(exception, batch.Rows.Count, attempt, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private async Task WriteAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);

        var claimed = await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO serving.logged_batches (batch_id, model_name, row_count) VALUES (@BatchId, @ModelName, @Count)
            ON CONFLICT (batch_id) DO NOTHING
            """, new { batch.BatchId, batch.ModelName, batch.Rows.Count }, session.Transaction, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            LogAlreadyWritten(batch.BatchId, batch.Rows.Count);
            return;
        }

        await using (var writer = await session.Connection.BeginBinaryImportAsync("""
            COPY serving.inference_log (log_batch_id, request_id, row_index, model_name, model_version, shadow, features, prediction, latency_ms, served_at)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var record in batch.Rows)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(batch.BatchId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(record.RequestId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(record.RowIndex, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(record.ModelName, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(record.ModelVersion, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(record.Shadow, NpgsqlDbType.Boolean, cancellationToken);
                await writer.WriteAsync(record.FeaturesJson, NpgsqlDbType.Jsonb, cancellationToken);
                await writer.WriteAsync(record.Prediction, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(record.LatencyMilliseconds, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(record.ServedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }

        await outbox.For(session).Publish(new PredictionsLogged
        {
            BatchId = batch.BatchId,
            ModelName = batch.ModelName,
            Environment = batch.ModelName.Split('.')[0],
            Principal = Instance,
            RowCount = batch.Rows.Count,
            FirstServedAt = batch.Rows.Min(r => r.ServedAt),
            LastServedAt = batch.Rows.Max(r => r.ServedAt),
        }, cancellationToken);

        await session.CommitAsync(cancellationToken);
    }

    private async Task RejectWithRetryAsync(InferenceRecord record, Exception refusal, CancellationToken cancellationToken)
    {
        var sqlState = (refusal as PostgresException)?.SqlState;
        var reason = StorableText.Of(refusal.Message);
        var row = StorableText.Of(JsonSerializer.Serialize(record));
        LogRejected(refusal, record.RequestId, record.RowIndex, record.ModelName);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var session = scope.ServiceProvider.GetRequiredService<DbSession>();
                await session.BeginAsync(cancellationToken);
                await session.Connection.ExecuteAsync(new CommandDefinition("""
                    INSERT INTO serving.inference_log_rejects (request_id, row_index, model_version, served_at, sqlstate, reason, row_json)
                    VALUES (@RequestId, @RowIndex, @ModelVersion, @ServedAt, @sqlState, @reason, @row)
                    """, new { record.RequestId, record.RowIndex, record.ModelVersion, record.ServedAt, sqlState, reason, row }, session.Transaction,
                    cancellationToken: cancellationToken));
                await session.CommitAsync(cancellationToken);
                return;
            }
            catch (Exception exception) when (DatabaseFailure.IsPoison(exception))
            {
                // Cannot happen with the escaping above; if it does, the row is in this log line and nothing waits behind it.
                LogRejectLost(exception, row);
                return;
            }
            catch (Exception exception) when (DatabaseFailure.IsRetryable(exception) && !cancellationToken.IsCancellationRequested)
            {
                var delay = Backoff(attempt);
                LogWriteFailed(exception, 1, attempt, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    private TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(options.Value.InferenceLog.MaxRetryDelay.TotalMilliseconds, 100 * Math.Pow(2, Math.Min(attempt - 1, 16))));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Rows} inference log rows failed (attempt {Attempt}); retrying in {DelayMilliseconds} ms")]
    private partial void LogWriteFailed(Exception exception, int rows, int attempt, double delayMilliseconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Rows} inference log rows failed unexpectedly (attempt {Attempt}); retrying in {DelayMilliseconds} ms")]
    private partial void LogWriteFailedUnexpectedly(Exception exception, int rows, int attempt, double delayMilliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Inference log batch {BatchId} ({Rows} rows) was already written; skipped")]
    private partial void LogAlreadyWritten(Guid batchId, int rows);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL refused inference log row {RequestId}#{RowIndex} of {ModelName}; it is kept in serving.inference_log_rejects")]
    private partial void LogRejected(Exception exception, Guid requestId, int rowIndex, string modelName);

    [LoggerMessage(Level = LogLevel.Critical, Message = "An inference log row could not be set aside either; it is lost: {Row}")]
    private partial void LogRejectLost(Exception exception, string row);

    [LoggerMessage(Level = LogLevel.Information, Message = "Replayed {Rows} spilled inference log rows from {File}")]
    private partial void LogReplayed(int rows, string file);
}
