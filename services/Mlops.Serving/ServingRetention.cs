using Mlops.Hosting.Retention;

namespace Mlops.Serving;

/// <summary>
/// The inference log is the largest table of all: it is kept for Retention:InferenceLog:Period (30 days by default). A
/// batch's id in serving.logged_batches only has to outlive any retry or spill replay of that batch, and rejected rows are
/// kept for inspection, each as long as the log by default.
/// </summary>
public static class ServingRetention
{
    public static readonly RetentionRule InferenceLog = new("InferenceLog", """
        DELETE FROM serving.inference_log WHERE ctid IN (
            SELECT ctid FROM serving.inference_log WHERE served_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(30), DefaultBatchSize: 5_000);

    public static readonly RetentionRule LoggedBatches = new("LoggedBatches", """
        DELETE FROM serving.logged_batches WHERE ctid IN (
            SELECT ctid FROM serving.logged_batches WHERE logged_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(30), DefaultBatchSize: 5_000);

    public static readonly RetentionRule Rejects = new("InferenceLogRejects", """
        DELETE FROM serving.inference_log_rejects WHERE ctid IN (
            SELECT ctid FROM serving.inference_log_rejects WHERE rejected_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(30), DefaultBatchSize: 5_000);
}
