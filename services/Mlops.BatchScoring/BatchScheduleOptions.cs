namespace Mlops.BatchScoring;

/// <summary>One scheduled batch scoring: a model and a cron expression (UTC; five fields, or six with seconds first).</summary>
public sealed class BatchScheduleOptions
{
    public string Model { get; set; } = "";

    public string Schedule { get; set; } = "";
}
