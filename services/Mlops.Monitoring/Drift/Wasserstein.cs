namespace Mlops.Monitoring.Drift;

/// <summary>
/// Wasserstein-1 (earth mover's) distance W₁ = ∫ |F(x) − G(x)| dx, in the feature's own units.
/// <list type="bullet">
/// <item>Between raw samples it is exact (<see cref="Between"/>); against a profile the reference sample is its quantile sample.</item>
/// <item>From a histogram it is W₁ between the two piecewise-uniform distributions the histograms describe, computed exactly
/// (the CDFs are piecewise linear). Each bin's mass is spread uniformly over the widest interval centred on the bin's mean
/// that fits in the bin — the histogram keeps a sum per bin, the reference takes its fine-bin means from its sample — after
/// clipping the bins to the observed minimum and maximum (the training ones for the reference, the window's own for the
/// window), which also closes the two open outer bins. Without known means (reference bins without a sample) a bin's mass
/// spreads over the whole clipped bin. With means known every bin keeps its exact mass and mean, hence ∫(F − G) =
/// mean(G) − mean(F) exactly, and W₁ is exact whenever neither the true nor the approximated CDFs cross (a one-sided
/// shift); a bin of one repeated value is an exact point mass. In general no mass is placed further than its bin's width
/// from where it is, so the error is at most Σₖ (pₖ + qₖ) · widthₖ over the clipped bins; with the ~100 equal-mass fine
/// bins the tests find it within a thousandth of a standard deviation of the exact distance.</item>
/// <item>Normalised, it is W₁ divided by the training standard deviation — "how many standard deviations the mass moved",
/// comparable across features. A reference standard deviation of 0 (a constant column) or an unknown one makes it not
/// computable: any change of a constant would be infinitely many deviations; the raw W₁ still tells how far it moved.</item>
/// </list>
/// Non-finite values are left out (they are reported by the null rate).
/// </summary>
public static class Wasserstein
{
    /// <summary>Exact W₁ between two raw samples (the second is the window).</summary>
    public static DriftMeasurement Between(IReadOnlyList<double> reference, IReadOnlyList<double> window)
    {
        var a = Distribution.FiniteSorted(reference);
        var b = Distribution.FiniteSorted(window);
        if (a.Length == 0 || b.Length == 0)
            return DriftMeasurement.NotComputable(DriftMetric.Wasserstein, Applicability.SampleWithoutValues, b.Length);

        var distance = PiecewiseLinearCdf.AreaBetween(PiecewiseLinearCdf.OfSample(a), PiecewiseLinearCdf.OfSample(b));
        return DriftMeasurement.Computed(DriftMetric.Wasserstein, distance, b.Length);
    }

    /// <summary>Exact W₁ of a window's raw values against the reference's quantile sample.</summary>
    public static DriftMeasurement Of(NumericReference reference, IReadOnlyList<double> window) =>
        Applicability.Check(DriftMetric.Wasserstein, reference, window) ?? Between(reference.Sample, window);

    /// <summary>W₁ between the piecewise-uniform distributions of the reference shares and the window histogram over the same bins.</summary>
    public static DriftMeasurement Of(NumericReference reference, NumericHistogram window)
    {
        if (Applicability.Check(DriftMetric.Wasserstein, reference, window) is { } notComputable)
            return notComputable;

        var (expected, means, _) = reference.DistributionOver(window);
        var referenceCdf = PiecewiseLinearCdf.OfHistogram(window.Edges, expected, means, reference.Min!.Value, reference.Max!.Value);
        var windowCdf = PiecewiseLinearCdf.OfHistogram(window.Edges, Distribution.Normalize(window.Counts), Distribution.Means(window),
            window.Min!.Value, window.Max!.Value);
        return DriftMeasurement.Computed(DriftMetric.Wasserstein, PiecewiseLinearCdf.AreaBetween(referenceCdf, windowCdf), window.FiniteCount);
    }

    /// <summary>A W₁ measurement divided by the reference standard deviation.</summary>
    public static DriftMeasurement Normalized(DriftMeasurement distance, double? referenceStandardDeviation)
    {
        if (!distance.IsComputed)
            return distance with { Metric = DriftMetric.NormalizedWasserstein };
        if (referenceStandardDeviation is not { } deviation || !double.IsFinite(deviation) || deviation <= 0)
            return DriftMeasurement.NotComputable(DriftMetric.NormalizedWasserstein,
                "the reference standard deviation is 0 or unknown (a constant column): only the raw distance is meaningful", distance.SampleSize);

        return distance with { Metric = DriftMetric.NormalizedWasserstein, Value = distance.Value / deviation };
    }

    public static DriftMeasurement Normalized(NumericReference reference, DriftMeasurement distance) => Normalized(distance, reference.StandardDeviation);
}
