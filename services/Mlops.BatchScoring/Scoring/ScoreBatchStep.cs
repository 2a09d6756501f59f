using System.Diagnostics;
using Microsoft.Extensions.Options;
using Mlops.Catalog.Features;
using Mlops.Catalog.Models;
using Mlops.Catalog.Scoring;
using Mlops.Catalog.Tracking;
using Mlops.Contracts;
using Mlops.Hosting.Audit;
using Mlops.Hosting.Data;
using Mlops.Hosting.Messaging;
using Mlops.Hosting.Steps;

namespace Mlops.BatchScoring.Scoring;

/// <summary>
/// Works a batch scoring job under its step lease: plans it (once pinned, a resumed job scores what it started with), loads
/// the model through <see cref="ModelFormats"/>, reads the feature version, and scores it chunk by chunk, each chunk committed
/// on its own by <see cref="ChunkWriter"/> (unlike other leased steps, which write only at the end: a job of millions of rows
/// must not start again from its first row after a crash, and a chunk's checkpoint keeps it written once). Chunks already
/// committed are skipped. The lease's completion then ends the job and publishes BatchScoringCompleted, or BatchScoringFailed
/// with the reason when the job cannot be scored; transient failures go back to the worker, which retries.
/// </summary>
public sealed partial class ScoreBatchStep(
    BatchScoringJobs jobs,
    BatchScoringPlanner planner,
    JobProgress progress,
    ChunkWriter writer,
    ArtifactStore artifacts,
    FeatureStore features,
    MessageAudit audit,
    IOptionsMonitor<BatchScoringOptions> options,
    ILogger<ScoreBatchStep> logger) : IStepHandler<ScoreBatch>
{
    public const string Name = "batch-scoring";

    /// <summary>Unknown keys a job's errors name one by one; the rest are counted.</summary>
    private const int ListedUnknownKeys = 20;

    public async Task<StepCommit> RunAsync(ScoreBatch command, CancellationToken cancellationToken)
    {
        var job = await jobs.FindAsync(command.JobId, cancellationToken)
            ?? throw new InvalidOperationException($"Scoring job {command.JobId} has no row in scoring.jobs; its consumer writes it with the lease.");
        // Its lease was deleted after FinishedRetention and the command came again: the job ended and was announced then.
        if (job.State is "completed" or "failed")
            return (_, _) => Task.FromResult<IReadOnlyList<object>>([]);
        try
        {
            return await ScoreAsync(job, cancellationToken);
        }
        catch (Exception exception) when (!TransientFailures.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
        {
            var expected = exception is BatchScoringRefusedException or InvalidModelException or ArtifactIntegrityException;
            var reason = expected ? exception.Message : $"{exception.GetType().Name}: {exception.Message}";
            // A refusal is the job's input, not a fault of the service: its reason says all, without a stack trace.
            LogFailed(expected ? null : exception, job.JobId, job.ModelName, reason);
            return (session, token) => FailAsync(session, job, reason, token);
        }
    }

    private async Task<StepCommit> ScoreAsync(BatchScoringJob job, CancellationToken cancellationToken)
    {
        var keys = await progress.EntityKeysAsync(job.JobId, cancellationToken);
        var plan = await planner.PlanAsync(job.ModelName, job.ModelVersion, null, job.FeatureVersion, keys, cancellationToken);
        if (plan.ModelName.Catalog != job.Environment)
            throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "model",
                $"Model {plan.ModelName} lives in catalog '{plan.ModelName.Catalog}', not in environment '{job.Environment}'.");
        var chunkSize = await progress.StartAsync(job.JobId, plan, options.CurrentValue.ChunkSize, cancellationToken);

        var model = ModelFormats.Load(plan.Version.ModelFormat, await artifacts.GetAsync(plan.Version.ArtifactSha256, cancellationToken));
        var definition = await features.FindTableAsync(plan.FeatureTable, cancellationToken)
            ?? throw new BatchScoringRefusedException(BatchScoringRefusal.NotFound, "featureTable", $"There is no feature table {plan.FeatureTable}.");
        CheckInputs(plan, model, definition);
        var frame = await features.ReadVersionAsync(definition, plan.FeatureVersion, cancellationToken);

        var (rows, unknown) = Select(frame, plan.EntityKeys);
        if (plan.EntityKeys is { } asked && rows.Count == 0)
            throw new BatchScoringRefusedException(BatchScoringRefusal.NotFound, "entityKeys",
                $"None of the {asked.Length} keys is an entity of {plan.FeatureTable} version {plan.FeatureVersion}: {Listed(unknown)}.");
        var errors = unknown.Count == 0
            ? []
            : new List<string>
            {
                $"{unknown.Count} of {plan.EntityKeys!.Length} keys are not entities of {plan.FeatureTable} version {plan.FeatureVersion} and were not scored: {Listed(unknown)}",
            };
        var chunkCount = (rows.Count + chunkSize - 1) / chunkSize;
        await progress.PlanChunksAsync(job.JobId, chunkCount, errors, cancellationToken);

        var done = await progress.DoneChunksAsync(job.JobId, cancellationToken);
        LogScoring(job.JobId, plan.ModelName.FullName, plan.Version.Version, plan.FeatureTable, plan.FeatureVersion, rows.Count, chunkCount, done.Count);
        for (var chunk = 0; chunk < chunkCount; chunk++)
        {
            if (done.Contains(chunk))
                continue;
            var first = chunk * chunkSize;
            var part = frame.Rows(rows.GetRange(first, Math.Min(chunkSize, rows.Count - first)));
            var watch = Stopwatch.StartNew();
            var predictions = model.Score(part);
            var latency = watch.Elapsed.TotalMilliseconds / Math.Max(1, part.RowCount);
            if (options.CurrentValue.FaultInjectionChunkDelay > TimeSpan.Zero)
                await Task.Delay(options.CurrentValue.FaultInjectionChunkDelay, cancellationToken);
            if (!await writer.WriteAsync(job.JobId, plan, model.Inputs, new ScoredChunk(chunk, first, part, predictions, latency, DateTimeOffset.UtcNow),
                    cancellationToken))
                LogChunkAlreadyWritten(job.JobId, chunk);
        }

        return (session, token) => CompleteAsync(session, job, plan, unknown.Count, token);
    }

    private async Task<IReadOnlyList<object>> CompleteAsync(DbSession session, BatchScoringJob job, BatchScoringPlan plan, int unknownKeys,
        CancellationToken cancellationToken)
    {
        var (rowsScored, chunks) = await progress.CompleteAsync(session, job.JobId, cancellationToken);
        await audit.AppendAsync(session, job.JobId, job.RequestedBy, "batch_scoring.completed", $"model:{job.ModelName}@{plan.Version.Version}",
            $"job {job.JobId}: {rowsScored} rows of {plan.FeatureTable} version {plan.FeatureVersion} in {chunks} chunks", cancellationToken: cancellationToken);
        LogCompleted(job.JobId, job.ModelName, rowsScored, chunks);
        return
        [
            new BatchScoringCompleted
            {
                JobId = job.JobId, CorrelationId = job.CorrelationId, ModelName = job.ModelName, Environment = job.Environment, Principal = job.RequestedBy,
                ModelVersion = plan.Version.Version, FeatureTable = plan.FeatureTable, FeatureVersion = plan.FeatureVersion, RowsScored = rowsScored,
                Chunks = chunks, UnknownKeys = unknownKeys,
            },
        ];
    }

    private async Task<IReadOnlyList<object>> FailAsync(DbSession session, BatchScoringJob job, string reason, CancellationToken cancellationToken)
    {
        await progress.FailAsync(session, job.JobId, reason, cancellationToken);
        await audit.AppendAsync(session, job.JobId, job.RequestedBy, "batch_scoring.failed", $"model:{job.ModelName}", $"job {job.JobId}: {reason}",
            AuditOutcomes.Failed, cancellationToken);
        return
        [
            new BatchScoringFailed
            {
                JobId = job.JobId, CorrelationId = job.CorrelationId, ModelName = job.ModelName, Environment = job.Environment, Principal = job.RequestedBy,
                Reason = StorableText.Of(reason),
            },
        ];
    }

    /// <summary>Every input of the model must be a column of the table, of the same kind: the model was trained on it, but tables can be replaced.</summary>
    private static void CheckInputs(BatchScoringPlan plan, IScoringModel model, FeatureTableDefinition definition)
    {
        var columns = definition.Columns.ToDictionary(c => c.Name, c => c.Type);
        foreach (var input in model.Inputs)
        {
            if (!columns.TryGetValue(input.Name, out var type))
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "featureTable",
                    $"Version {plan.Version.Version} of {plan.ModelName} takes '{input.Name}', which feature table {plan.FeatureTable} has no column for.");
            var expected = input.Type == SignatureColumn.Double ? FeatureType.Numeric : FeatureType.Categorical;
            if (type != expected)
                throw new BatchScoringRefusedException(BatchScoringRefusal.Invalid, "featureTable",
                    $"Version {plan.Version.Version} of {plan.ModelName} takes '{input.Name}' as {input.Type}, but feature table {plan.FeatureTable} holds it as {type}.");
        }
    }

    /// <summary>The frame's rows to score, in entity order (every row, or the rows of the keys asked for), and the keys it does not hold.</summary>
    private static (List<int> Rows, List<long> Unknown) Select(FeatureFrame frame, long[]? keys)
    {
        if (keys is null)
            return (Enumerable.Range(0, frame.RowCount).ToList(), []);
        var rows = new List<int>(keys.Length);
        var unknown = new List<long>();
        // The frame is ordered by entity id and the keys are sorted: one binary search each.
        foreach (var key in keys)
        {
            var row = Array.BinarySearch(frame.EntityIds, key);
            if (row >= 0)
                rows.Add(row);
            else
                unknown.Add(key);
        }
        return (rows, unknown);
    }

    private static string Listed(List<long> keys) =>
        string.Join(", ", keys.Take(ListedUnknownKeys)) + (keys.Count > ListedUnknownKeys ? $" and {keys.Count - ListedUnknownKeys} more" : "");

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Scoring job {JobId}: {ModelName} v{Version} over {FeatureTable} v{FeatureVersion}, {Rows} rows in {Chunks} chunks ({Done} done before)")]
    private partial void LogScoring(Guid jobId, string modelName, int version, string featureTable, int featureVersion, int rows, int chunks, int done);

    [LoggerMessage(Level = LogLevel.Information, Message = "Chunk {Chunk} of scoring job {JobId} was committed before; skipped")]
    private partial void LogChunkAlreadyWritten(Guid jobId, int chunk);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scoring job {JobId} of {ModelName} completed: {Rows} rows in {Chunks} chunks")]
    private partial void LogCompleted(Guid jobId, string modelName, long rows, int chunks);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scoring job {JobId} of {ModelName} failed: {Reason}")]
    private partial void LogFailed(Exception? exception, Guid jobId, string modelName, string reason);
}
