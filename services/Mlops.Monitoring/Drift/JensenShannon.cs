namespace Mlops.Monitoring.Drift;

/// <summary>
/// Jensen–Shannon distance: the square root of JSD(P, Q) = ½ KL(P‖M) + ½ KL(Q‖M), M = ½(P + Q), with base-2 logarithms,
/// so it lies in [0, 1] (1 for disjoint supports) and is a metric. Needs no floor: M is positive wherever P or Q is, and a
/// zero share contributes 0 (0 · log 0 = 0), so unseen categories and empty bins are handled exactly.
/// Numeric windows are compared over the reference bins, like PSI.
/// </summary>
public static class JensenShannon
{
    public static DriftMeasurement Of(NumericReference reference, NumericHistogram window)
    {
        if (Applicability.Check(DriftMetric.JensenShannon, reference, window) is { } notComputable)
            return notComputable;

        var coarse = window.Coarsen(reference.Edges);
        return DriftMeasurement.Computed(DriftMetric.JensenShannon, Distance(reference.Proportions, Distribution.Normalize(coarse.Counts)), window.FiniteCount);
    }

    public static DriftMeasurement Of(CategoricalReference reference, CategoricalHistogram window)
    {
        if (Applicability.Check(DriftMetric.JensenShannon, reference, window) is { } notComputable)
            return notComputable;

        return DriftMeasurement.Computed(DriftMetric.JensenShannon, Distance(reference.Proportions, Distribution.Normalize(window.BinCounts())), window.ValueCount);
    }

    /// <summary>JS distance of two distributions over the same bins; weights are normalised to shares first.</summary>
    public static double Distance(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Distribution.RequireSameLength(expected, actual);
        var p = Distribution.Normalize(expected);
        var q = Distribution.Normalize(actual);
        var divergence = 0.0;
        for (var i = 0; i < p.Length; i++)
        {
            var m = (p[i] + q[i]) / 2;
            if (p[i] > 0)
                divergence += p[i] * Math.Log2(p[i] / m) / 2;
            if (q[i] > 0)
                divergence += q[i] * Math.Log2(q[i] / m) / 2;
        }
        // Rounding can leave a hair below 0 or above 1; the divergence itself is bounded by [0, 1] in base 2.
        return Math.Sqrt(Math.Clamp(divergence, 0, 1));
    }
}
