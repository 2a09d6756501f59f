namespace Mlops.Monitoring.Drift;

/// <summary>
/// Total variation distance ½ Σ |pᵢ − qᵢ| in [0, 1]: the largest difference in probability the two distributions give to
/// any set of bins — read directly as "this much of the prediction mass moved". Over the reference bins, like PSI.
/// </summary>
public static class TotalVariation
{
    public static DriftMeasurement Of(NumericReference reference, NumericHistogram window)
    {
        if (Applicability.Check(DriftMetric.TotalVariation, reference, window) is { } notComputable)
            return notComputable;

        var coarse = window.Coarsen(reference.Edges);
        return DriftMeasurement.Computed(DriftMetric.TotalVariation, Distance(reference.Proportions, Distribution.Normalize(coarse.Counts)), window.FiniteCount);
    }

    public static DriftMeasurement Of(CategoricalReference reference, CategoricalHistogram window)
    {
        if (Applicability.Check(DriftMetric.TotalVariation, reference, window) is { } notComputable)
            return notComputable;

        return DriftMeasurement.Computed(DriftMetric.TotalVariation, Distance(reference.Proportions, Distribution.Normalize(window.BinCounts())), window.ValueCount);
    }

    public static double Distance(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Distribution.RequireSameLength(expected, actual);
        var p = Distribution.Normalize(expected);
        var q = Distribution.Normalize(actual);
        var sum = 0.0;
        for (var i = 0; i < p.Length; i++)
            sum += Math.Abs(p[i] - q[i]);
        return Math.Min(sum / 2, 1);
    }
}
