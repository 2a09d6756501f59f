using System.Buffers;
using System.Text;
using System.Text.Json;
using Dapper;
using Mlops.Catalog.Models;
using Mlops.Catalog.Scoring;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Outbox;
using NpgsqlTypes;

namespace Mlops.BatchScoring.Scoring;

/// <summary>
/// Commits one scored chunk in one transaction: its checkpoint (scoring.job_chunks), its predictions (scoring.predictions, by
/// binary COPY), the same rows in Serving's inference log marked source = 'batch' with the PredictionsLogged that tells
/// monitoring to count them, and the job's progress. The checkpoint is claimed first: a chunk committed before (by this
/// worker before a crash, or by another that took the lease over) is found there and nothing is written twice; a chunk
/// that never committed left nothing behind. So a job resumes at its first unfinished chunk with no duplicate and no gap.
/// </summary>
public sealed class ChunkWriter(IServiceScopeFactory scopes)
{
    private static readonly string Instance = $"batch-scoring@{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>False when the chunk had been committed before.</summary>
    public async Task<bool> WriteAsync(Guid jobId, BatchScoringPlan plan, IReadOnlyList<SignatureColumn> inputs, ScoredChunk chunk,
        CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var session = scope.ServiceProvider.GetRequiredService<DbSession>();
        var outbox = scope.ServiceProvider.GetRequiredService<OutboxPublisher>().For(session);
        await session.BeginAsync(cancellationToken);

        var logBatchId = Guid.NewGuid();
        var rows = chunk.Rows.RowCount;
        if (await session.Connection.ExecuteAsync(new CommandDefinition("""
                INSERT INTO scoring.job_chunks (job_id, chunk, row_count, log_batch_id) VALUES (@jobId, @Chunk, @rows, @logBatchId)
                ON CONFLICT (job_id, chunk) DO NOTHING
                """, new { jobId, chunk.Chunk, rows, logBatchId }, session.Transaction, cancellationToken: cancellationToken)) == 0)
        {
            await session.RollbackAsync(cancellationToken);
            return false;
        }

        var modelName = plan.ModelName.FullName;
        var version = plan.Version.Version;
        await using (var writer = await session.Connection.BeginBinaryImportAsync(
            "COPY scoring.predictions (job_id, entity_id, model_name, model_version, prediction, scored_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            for (var row = 0; row < rows; row++)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(jobId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(chunk.Rows.EntityIds[row], NpgsqlDbType.Bigint, cancellationToken);
                await writer.WriteAsync(modelName, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(version, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(chunk.Predictions[row], NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(chunk.ScoredAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }

        // The inference log row of a batch prediction: request_id is the job, row_index its place in the job's entity order, so
        // ground truth landed for (job, row) joins it as it joins a served row.
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO serving.logged_batches (batch_id, model_name, row_count) VALUES (@logBatchId, @modelName, @rows)
            """, new { logBatchId, modelName, rows }, session.Transaction, cancellationToken: cancellationToken));
        var features = new ArrayBufferWriter<byte>();
        await using (var writer = await session.Connection.BeginBinaryImportAsync("""
            COPY serving.inference_log (log_batch_id, request_id, row_index, model_name, model_version, shadow, features, prediction, latency_ms, served_at, source)
            FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            for (var row = 0; row < rows; row++)
            {
                await writer.StartRowAsync(cancellationToken);
                await writer.WriteAsync(logBatchId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(jobId, NpgsqlDbType.Uuid, cancellationToken);
                await writer.WriteAsync(chunk.FirstRow + row, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(modelName, NpgsqlDbType.Text, cancellationToken);
                await writer.WriteAsync(version, NpgsqlDbType.Integer, cancellationToken);
                await writer.WriteAsync(false, NpgsqlDbType.Boolean, cancellationToken);
                await writer.WriteAsync(FeaturesJson(features, inputs, chunk, row), NpgsqlDbType.Jsonb, cancellationToken);
                await writer.WriteAsync(chunk.Predictions[row], NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(chunk.LatencyMilliseconds, NpgsqlDbType.Double, cancellationToken);
                await writer.WriteAsync(chunk.ScoredAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await writer.WriteAsync("batch", NpgsqlDbType.Text, cancellationToken);
            }
            await writer.CompleteAsync(cancellationToken);
        }

        await outbox.Publish(new PredictionsLogged
        {
            BatchId = logBatchId, ModelName = modelName, Environment = plan.ModelName.Catalog, Principal = Instance, RowCount = rows,
            FirstServedAt = chunk.ScoredAt, LastServedAt = chunk.ScoredAt,
        }, cancellationToken);

        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE scoring.jobs SET chunks_done = chunks_done + 1, rows_scored = rows_scored + @rows WHERE job_id = @jobId
            """, new { jobId, rows }, session.Transaction, cancellationToken: cancellationToken));
        await session.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>The row's inputs as monitoring reads them: numbers (null when missing or not finite) and strings by feature name.</summary>
    private static string FeaturesJson(ArrayBufferWriter<byte> buffer, IReadOnlyList<SignatureColumn> inputs, ScoredChunk chunk, int row)
    {
        buffer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var input in inputs)
            {
                switch (chunk.Rows.Value(input.Name, row))
                {
                    case double number when double.IsFinite(number):
                        json.WriteNumber(input.Name, number);
                        break;
                    case string text:
                        json.WriteString(input.Name, text);
                        break;
                    default:
                        json.WriteNull(input.Name);
                        break;
                }
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
