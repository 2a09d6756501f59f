using Mlops.Hosting.Retention;

namespace Mlops.Monitoring;

/// <summary>Ground truth and the log batches already merged into windows; windows, metrics and alerts stay as history.</summary>
public static class MonitoringRetention
{
    public static readonly RetentionRule GroundTruth = new("GroundTruth", """
        DELETE FROM monitoring.ground_truth WHERE ctid IN (
            SELECT ctid FROM monitoring.ground_truth WHERE landed_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(90), DefaultBatchSize: 5_000);

    /// <summary>Must outlast the inference log: a batch announced again after its row is gone would be counted twice.</summary>
    public static readonly RetentionRule ProcessedBatches = new("ProcessedBatches", """
        DELETE FROM monitoring.processed_batches WHERE ctid IN (
            SELECT ctid FROM monitoring.processed_batches WHERE processed_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(60));
}
