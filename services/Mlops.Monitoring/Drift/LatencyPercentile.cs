namespace Mlops.Monitoring.Drift;

/// <summary>
/// A latency percentile by linear interpolation between order statistics — the definition of PostgreSQL's
/// <c>percentile_cont</c>, so the value computed here and one computed in SQL over the inference log agree.
/// NaN and infinite latencies are left out; no latency at all is not computable.
/// </summary>
public static class LatencyPercentile
{
    public static DriftMeasurement P99(IReadOnlyList<double> latencies) => Of(latencies, 0.99, DriftMetric.LatencyP99);

    public static DriftMeasurement Of(IReadOnlyList<double> latencies, double percentile, string metric)
    {
        if (!(percentile is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "A percentile is a fraction between 0 and 1.");

        var sorted = latencies.Where(double.IsFinite).ToArray();
        if (sorted.Length == 0)
            return DriftMeasurement.NotComputable(metric, "the window has no latencies");

        Array.Sort(sorted);
        var position = percentile * (sorted.Length - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Length - 1);
        return DriftMeasurement.Computed(metric, sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower), sorted.Length);
    }
}
