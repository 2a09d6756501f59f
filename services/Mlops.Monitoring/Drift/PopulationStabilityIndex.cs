namespace Mlops.Monitoring.Drift;

/// <summary>
/// PSI = Σ (aᵢ − eᵢ) · ln(aᵢ / eᵢ) over the reference bins, e the reference shares, a the window's shares of its finite
/// (numeric) or non-null (categorical) values. A share below <see cref="Floor"/> — an empty bin on either side, or the
/// unseen-category bucket whose reference share is 0 — is raised to the floor, so one empty bin costs at most
/// (a − 1e-4) · ln(a / 1e-4) instead of infinity. The floored shares are NOT renormalised: a bin non-empty on both sides
/// keeps exactly its textbook term, and every term stays ≥ 0, so PSI is 0 only for identical shares.
/// Numeric windows are compared over the reference bins (the profile's, shares exact over training), not the fine bins.
/// </summary>
public static class PopulationStabilityIndex
{
    public const double Floor = 1e-4;

    public static DriftMeasurement Of(NumericReference reference, NumericHistogram window)
    {
        if (Applicability.Check(DriftMetric.Psi, reference, window) is { } notComputable)
            return notComputable;

        var coarse = window.Coarsen(reference.Edges);
        return DriftMeasurement.Computed(DriftMetric.Psi, Between(reference.Proportions, Distribution.Normalize(coarse.Counts)), window.FiniteCount);
    }

    public static DriftMeasurement Of(CategoricalReference reference, CategoricalHistogram window)
    {
        if (Applicability.Check(DriftMetric.Psi, reference, window) is { } notComputable)
            return notComputable;

        return DriftMeasurement.Computed(DriftMetric.Psi, Between(reference.Proportions, Distribution.Normalize(window.BinCounts())), window.ValueCount);
    }

    /// <summary>PSI of two distributions over the same bins; weights (shares or counts) are normalised to shares first.</summary>
    public static double Between(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        Distribution.RequireSameLength(expected, actual);
        var e = Distribution.Normalize(expected);
        var a = Distribution.Normalize(actual);
        var psi = 0.0;
        for (var i = 0; i < e.Length; i++)
        {
            var ei = Math.Max(e[i], Floor);
            var ai = Math.Max(a[i], Floor);
            psi += (ai - ei) * Math.Log(ai / ei);
        }
        return psi;
    }
}
