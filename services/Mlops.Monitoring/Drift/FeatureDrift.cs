namespace Mlops.Monitoring.Drift;

/// <summary>
/// Every drift metric of one feature's window, in one call: what a monitor stores per window and compares with thresholds.
/// A histogram window gets binned KS and histogram W₁; a window small enough to hold raw gets exact KS and exact W₁
/// (against the reference's quantile sample) and the same binned metrics from a histogram built on the fly.
/// </summary>
public static class FeatureDrift
{
    public static IReadOnlyList<DriftMeasurement> Measure(NumericReference reference, NumericHistogram window)
    {
        var wasserstein = Wasserstein.Of(reference, window);
        return
        [
            PopulationStabilityIndex.Of(reference, window),
            KolmogorovSmirnov.Of(reference, window),
            JensenShannon.Of(reference, window),
            wasserstein,
            Wasserstein.Normalized(reference, wasserstein),
            TotalVariation.Of(reference, window),
            MissingValues.Rate(reference, window),
        ];
    }

    public static IReadOnlyList<DriftMeasurement> Measure(NumericReference reference, IReadOnlyList<double> window)
    {
        var histogram = reference.NewHistogram();
        histogram.AddRange(window);
        var wasserstein = Wasserstein.Of(reference, window);
        return
        [
            PopulationStabilityIndex.Of(reference, histogram),
            KolmogorovSmirnov.Of(reference, window),
            JensenShannon.Of(reference, histogram),
            wasserstein,
            Wasserstein.Normalized(reference, wasserstein),
            TotalVariation.Of(reference, histogram),
            MissingValues.Rate(reference, histogram),
        ];
    }

    public static IReadOnlyList<DriftMeasurement> Measure(CategoricalReference reference, CategoricalHistogram window) =>
    [
        PopulationStabilityIndex.Of(reference, window),
        JensenShannon.Of(reference, window),
        TotalVariation.Of(reference, window),
        MissingValues.Rate(reference, window),
    ];
}
