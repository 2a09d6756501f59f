using Mlops.Hosting.Retention;

namespace Mlops.Serving;

/// <summary>The inference log is the largest table of all: it is kept for Retention:InferenceLog:Period (30 days by default).</summary>
public static class ServingRetention
{
    public static readonly RetentionRule InferenceLog = new("InferenceLog", """
        DELETE FROM serving.inference_log WHERE ctid IN (
            SELECT ctid FROM serving.inference_log WHERE served_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(30), DefaultBatchSize: 5_000);
}
