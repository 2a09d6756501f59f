namespace Mlops.Monitoring.Drift;

/// <summary>
/// The null rate of a window against the training null rate (the measurement's baseline). For numeric columns a value is
/// missing when it is null/NaN or ±∞, exactly as the profile's null rate counts it — the histogram keeps the three counts
/// apart for anyone who needs to tell them apart. An empty window has no rate.
/// </summary>
public static class MissingValues
{
    public static DriftMeasurement Rate(NumericReference reference, NumericHistogram window) =>
        Rate(window.Count, window.NullCount + window.NegativeInfinityCount + window.PositiveInfinityCount, reference.NullRate);

    public static DriftMeasurement Rate(CategoricalReference reference, CategoricalHistogram window) =>
        Rate(window.Count, window.NullCount, reference.NullRate);

    private static DriftMeasurement Rate(long rows, long missing, double baseline) =>
        rows == 0
            ? DriftMeasurement.NotComputable(DriftMetric.NullRate, Applicability.EmptyWindow) with { Baseline = baseline }
            : DriftMeasurement.Computed(DriftMetric.NullRate, (double)missing / rows, rows) with { Baseline = baseline };
}
