using Dapper;
using Microsoft.Extensions.Options;
using Mlops.Contracts;
using Mlops.Hosting.Data;
using Mlops.Hosting.Telemetry;

namespace Mlops.Monitoring.Windows;

/// <summary>
/// Folds a logged batch of predictions into the per-window state: the batch's non-shadow rows are streamed once, counted
/// into histograms per version and window, and merged into monitoring.windows under row locks — all in the caller's
/// transaction, together with the record that the batch was counted, so no batch is ever counted twice.
/// </summary>
public sealed class PredictionIngestion(
    LoggedPredictions log,
    WindowStore windows,
    ReferenceCache references,
    IOptions<MonitoringOptions> options,
    ILogger<PredictionIngestion> logger)
{
    /// <summary>The rows counted, or null when the batch had been counted before.</summary>
    public async Task<long?> IngestAsync(DbSession session, PredictionsLogged message, CancellationToken cancellationToken)
    {
        using var activity = MlopsTelemetry.Source.StartActivity("window predictions");
        activity?.SetTag(MlopsTelemetry.ModelTag, message.ModelName);
        activity?.SetTag(MlopsTelemetry.EnvironmentTag, message.Environment);
        activity?.SetTag("mlops.log_batch_id", message.BatchId);

        // The claim comes first: a concurrent duplicate waits on it, then finds it and stops.
        var claimed = await session.Connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO monitoring.processed_batches (batch_id, model_name, row_count) VALUES (@BatchId, @ModelName, 0)
            ON CONFLICT (batch_id) DO NOTHING
            """, new { message.BatchId, message.ModelName }, session.Transaction, cancellationToken: cancellationToken));
        if (claimed == 0)
        {
            logger.LogInformation("Log batch {BatchId} of {ModelName} was already counted into its windows", message.BatchId, message.ModelName);
            return null;
        }

        var settings = options.Value;
        var batches = new List<WindowBatch>();
        foreach (var version in await log.VersionsInBatchAsync(session, message.BatchId, message.ModelName, cancellationToken))
        {
            var reference = await references.GetAsync(session, message.ModelName, version, cancellationToken);
            if (reference is not null)
                batches.AddRange(await log.ReadBatchAsync(session, message.BatchId, reference, settings.WindowSize, settings.RawValueLimit, cancellationToken));
        }

        foreach (var batch in batches.OrderBy(b => b.Version.Version).ThenBy(b => b.Window.Start))
            await windows.MergeAsync(session, batch, settings.RawValueLimit, cancellationToken);

        var rows = batches.Sum(b => b.Rows);
        await session.Connection.ExecuteAsync(new CommandDefinition("""
            UPDATE monitoring.processed_batches SET row_count = @Rows WHERE batch_id = @BatchId
            """, new { message.BatchId, Rows = rows }, session.Transaction, cancellationToken: cancellationToken));

        activity?.SetTag("mlops.rows", rows);
        logger.LogInformation("Counted {Rows} predictions of {ModelName} from log batch {BatchId} into {Windows} windows",
            rows, message.ModelName, message.BatchId, batches.Count);
        return rows;
    }
}
