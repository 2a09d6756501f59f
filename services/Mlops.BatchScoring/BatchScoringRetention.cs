using Mlops.Hosting.Retention;

namespace Mlops.BatchScoring;

/// <summary>
/// Jobs that ended (completed or failed) more than Retention:ScoringJobs:Period ago go, and with them (ON DELETE CASCADE)
/// their chunks and predictions: a few jobs a batch, since one job may hold millions of predictions. Running and queued
/// jobs stay, however old.
/// </summary>
public static class BatchScoringRetention
{
    public static readonly RetentionRule ScoringJobs = new("ScoringJobs", """
        DELETE FROM scoring.jobs WHERE ctid IN (
            SELECT ctid FROM scoring.jobs WHERE state IN ('completed', 'failed') AND finished_at < @Cutoff LIMIT @BatchSize)
        """, TimeSpan.FromDays(90), DefaultBatchSize: 10);
}
