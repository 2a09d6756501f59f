using Microsoft.Extensions.Options;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace Mlops.Serving.Inference;

/// <summary>
/// Drains the inference log in batches: each batch is written by binary COPY and announced by PredictionsLogged (one per
/// model) in the same transaction, so Monitoring hears of exactly the rows that exist. A failed write is retried with the
/// same rows; meanwhile the queue fills and requests slow down instead of losing rows.
/// </summary>
public sealed partial class InferenceLogWriter(
    InferenceLog log,
    IServiceScopeFactory scopes,
    OutboxPublisher outbox,
    IOptions<ServingOptions> options,
    ILogger<InferenceLogWriter> logger) : BackgroundService
{
    private static readonly string Instance = $"serving@{Environment.MachineName}/{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.InferenceLog;
        var batch = new List<InferenceRecord>(settings.BatchSize);
        try
        {
            while (await log.Reader.WaitToReadAsync(stoppingToken))
            {
                await FillAsync(batch, settings, stoppingToken);
                await WriteWithRetryAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is already queued is still written below.
        }

        while (log.Reader.TryRead(out var record))
            batch.Add(record);
        if (batch.Count > 0)
            await WriteWithRetryAsync(batch, CancellationToken.None);
    }

    private async Task FillAsync(List<InferenceRecord> batch, InferenceLogOptions settings, CancellationToken cancellationToken)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(settings.FlushInterval);
        try
        {
            while (batch.Count < settings.BatchSize)
            {
                while (batch.Count < settings.BatchSize && log.Reader.TryRead(out var record))
                    batch.Add(record);
                if (batch.Count >= settings.BatchSize || !await log.Reader.WaitToReadAsync(window.Token))
                    break;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The flush interval ended the batch.
        }
    }

    private async Task WriteWithRetryAsync(List<InferenceRecord> batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch, cancellationToken);
                return;
            }
            catch (Exception exception) when (exception is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                var delay = TimeSpan.FromMilliseconds(Math.Min(10_000, 100 * Math.Pow(2, Math.Min(attempt, 7))));
                LogWriteFailed(exception, batch.Count, attempt, delay.TotalMilliseconds);
                await Task.Delay(delay, cancellationToken);
            }
        }
    }

    public async Task WriteAsync(IReadOnlyList<InferenceRecord> batch, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        await session.BeginAsync(cancellationToken);
        var publisher = outbox.For(session);

        foreach (var group in batch.GroupBy(r => r.ModelName))
        {
            var batchId = Guid.NewGuid();
            await using (var writer = await session.Connection.BeginBinaryImportAsync("""
                COPY serving.inference_log (log_batch_id, request_id, row_index, model_name, model_version, shadow, features, prediction, latency_ms, served_at)
                FROM STDIN (FORMAT BINARY)
                """, cancellationToken))
            {
                foreach (var record in group)
                {
                    await writer.StartRowAsync(cancellationToken);
                    await writer.WriteAsync(batchId, NpgsqlDbType.Uuid, cancellationToken);
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

            await publisher.Publish(new PredictionsLogged
            {
                BatchId = batchId,
                ModelName = group.Key,
                Environment = group.Key.Split('.')[0],
                Principal = Instance,
                RowCount = group.Count(),
                FirstServedAt = group.Min(r => r.ServedAt),
                LastServedAt = group.Max(r => r.ServedAt),
            }, cancellationToken);
        }

        await session.CommitAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writing {Rows} inference log rows failed (attempt {Attempt}); retrying in {DelayMilliseconds} ms")]
    private partial void LogWriteFailed(Exception exception, int rows, int attempt, double delayMilliseconds);
}
