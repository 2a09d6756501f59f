namespace Mlops.Monitoring.Drift;

/// <summary>
/// The cases in which the data does not allow a distribution metric, checked in the same order by every metric so that
/// one window gets one reason: a reference without values, then an empty window, then a window without usable values.
/// </summary>
internal static class Applicability
{
    public const string ReferenceWithoutValues = "the reference has no non-null finite values";
    public const string ReferenceWithoutSample = "the reference profile has no quantile sample to compare raw values with";
    public const string EmptyWindow = "the window has no rows";
    public const string WindowWithoutValues = "the window has only nulls or non-finite values";
    public const string SampleWithoutValues = "a sample has no finite values";

    public static DriftMeasurement? Check(string metric, NumericReference reference, NumericHistogram window)
    {
        _ = reference.DistributionOver(window);
        if (!reference.HasValues)
            return DriftMeasurement.NotComputable(metric, ReferenceWithoutValues, window.FiniteCount);
        if (window.Count == 0)
            return DriftMeasurement.NotComputable(metric, EmptyWindow);
        return window.FiniteCount == 0 ? DriftMeasurement.NotComputable(metric, WindowWithoutValues) : null;
    }

    public static DriftMeasurement? Check(string metric, NumericReference reference, IReadOnlyList<double> window)
    {
        if (!reference.HasValues)
            return DriftMeasurement.NotComputable(metric, ReferenceWithoutValues);
        if (reference.Sample.Count == 0)
            return DriftMeasurement.NotComputable(metric, ReferenceWithoutSample);
        if (window.Count == 0)
            return DriftMeasurement.NotComputable(metric, EmptyWindow);
        return window.Any(double.IsFinite) ? null : DriftMeasurement.NotComputable(metric, WindowWithoutValues);
    }

    public static DriftMeasurement? Check(string metric, CategoricalReference reference, CategoricalHistogram window)
    {
        reference.EnsureBinned(window);
        if (!reference.HasValues)
            return DriftMeasurement.NotComputable(metric, ReferenceWithoutValues, window.ValueCount);
        if (window.Count == 0)
            return DriftMeasurement.NotComputable(metric, EmptyWindow);
        return window.ValueCount == 0 ? DriftMeasurement.NotComputable(metric, WindowWithoutValues) : null;
    }
}
