using System.ComponentModel.DataAnnotations;

namespace Mlops.BatchScoring;

/// <summary>Section <c>BatchScoring</c>: how jobs are cut into chunks, and which models are scored on a schedule or after a promotion.</summary>
public sealed class BatchScoringOptions
{
    public const string Section = "BatchScoring";

    /// <summary>Rows a chunk scores and commits at once: what a crash costs at most, and one inference log batch.</summary>
    [Range(1, 1_000_000)]
    public int ChunkSize { get; set; } = 1000;

    /// <summary>Jobs one instance works at once.</summary>
    [Range(1, 64)]
    public int MaxConcurrentJobs { get; set; } = 1;

    /// <summary>How often the scheduler looks at the schedules at least (it also wakes at the next occurrence).</summary>
    public TimeSpan ScheduleCheckInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Scheduled jobs: the model's champion scores the latest feature version of its environment at every occurrence.</summary>
    public List<BatchScheduleOptions> Schedules { get; set; } = [];

    /// <summary>Models whose new champion scores the latest feature version as soon as a pipeline run promotes it.</summary>
    public List<string> ScoreAfterPromotion { get; set; } = [];

    /// <summary>For the fault suite and tests only: extra time each chunk takes before it commits. Zero (the default) adds nothing.</summary>
    public TimeSpan FaultInjectionChunkDelay { get; set; } = TimeSpan.Zero;
}
