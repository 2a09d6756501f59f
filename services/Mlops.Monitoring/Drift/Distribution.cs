namespace Mlops.Monitoring.Drift;

/// <summary>Arithmetic on binned distributions shared by the metrics.</summary>
internal static class Distribution
{
    public static double[] Normalize(IReadOnlyList<double> weights)
    {
        var total = 0.0;
        foreach (var weight in weights)
        {
            if (!double.IsFinite(weight) || weight < 0)
                throw new ArgumentException($"Bin weights must be finite and non-negative, not {weight}.", nameof(weights));
            total += weight;
        }
        if (total <= 0)
            throw new ArgumentException("Bin weights sum to zero: there is no distribution to compare.", nameof(weights));

        var proportions = new double[weights.Count];
        for (var i = 0; i < proportions.Length; i++)
            proportions[i] = weights[i] / total;
        return proportions;
    }

    public static double[] Normalize(IReadOnlyList<long> counts) => Normalize(counts.Select(c => (double)c).ToArray());

    /// <summary>The mean of each bin of a histogram; NaN for an empty bin.</summary>
    public static double[] Means(NumericHistogram histogram) =>
        [.. histogram.Counts.Select((count, bin) => count > 0 ? histogram.Sums[bin] / count : double.NaN)];

    /// <summary>The finite values, sorted: raw-sample metrics leave NaN and ±∞ to the null rate.</summary>
    public static double[] FiniteSorted(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        Array.Sort(finite);
        return finite;
    }

    public static void RequireSameLength(IReadOnlyList<double> expected, IReadOnlyList<double> actual)
    {
        if (expected.Count != actual.Count)
            throw new ArgumentException($"The distributions have {expected.Count} and {actual.Count} bins: they must be over the same bins.");
    }
}
