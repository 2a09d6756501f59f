using Mlops.Contracts;

namespace Mlops.Orchestrator.Admission;

/// <summary>What a trigger said, in a line an operator reads in the trigger log and on the run.</summary>
public static class TriggerDetails
{
    public static string Of(DriftDetected drift) =>
        $"{drift.Feature} drifted: {drift.Metric} {Number(drift.Value)} exceeds {Number(drift.Threshold)} in the window " +
        $"{Window(drift.WindowStart, drift.WindowEnd)} ({drift.WindowsBreached} of {drift.WindowsConsidered} windows breached; version {drift.ModelVersion})";

    public static string Of(ModelPerformanceDegraded degraded) =>
        $"{degraded.Metric} fell from its baseline {Number(degraded.Baseline)} to {Number(degraded.Value)}: a drop of {Number(degraded.Drop)}, " +
        $"more than {Number(degraded.Threshold)}, on {degraded.LabeledRows} labelled rows in the window {Window(degraded.WindowStart, degraded.WindowEnd)} " +
        $"(version {degraded.ModelVersion})";

    public static string Of(PipelineScheduleDue due) =>
        $"schedule '{due.Schedule}' (UTC) came due at {Minute(due.Occurrence)}" + (due.MissedSince is { } missed
            ? $"; the occurrences since {Minute(missed)} were missed while no orchestrator ran and fold into this one"
            : "");

    /// <summary>An alert that came back when the cooldown that held it back ended.</summary>
    public static string OfRecheck(string alertDetail) => $"re-check after the cooldown: {alertDetail}";

    private static string Number(double value) => value.ToString("0.####");

    private static string Minute(DateTimeOffset instant) => $"{instant.UtcDateTime:yyyy-MM-dd} {TimeOfDay(instant)}";

    private static string Window(DateTimeOffset start, DateTimeOffset end) =>
        start.UtcDateTime.Date == end.UtcDateTime.Date ? $"{Minute(start)} to {TimeOfDay(end)}" : $"{Minute(start)} to {Minute(end)}";

    private static string TimeOfDay(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        return utc.Second == 0 && utc.Millisecond == 0 ? $"{utc:HH:mm}Z" : $"{utc:HH:mm:ss}Z";
    }
}
