namespace Mlops.Catalog.Monitoring;

/// <summary>Builds feature profiles from training data: quantile bins (Sturges' rule when asked), shares and a quantile sample.</summary>
public static class ProfileBuilder
{
    public const int DefaultBins = 10;
    public const int DefaultSampleSize = 1000;

    /// <summary>Sturges' rule: ⌈log2 n⌉ + 1 bins.</summary>
    public static int SturgesBins(long count) => count <= 1 ? 1 : (int)Math.Ceiling(Math.Log2(count)) + 1;

    public static FeatureProfile Numeric(string name, IReadOnlyList<double> values, int bins = DefaultBins, int sampleSize = DefaultSampleSize)
    {
        var present = values.Where(double.IsFinite).ToArray();
        Array.Sort(present);
        var nullRate = values.Count == 0 ? 0 : 1 - (double)present.Length / values.Count;
        if (present.Length == 0)
            return new FeatureProfile { Name = name, Type = FeatureProfile.NumericType, Count = values.Count, NullRate = nullRate, BinProportions = [1.0] };

        var edges = new List<double>();
        for (var k = 1; k < bins; k++)
        {
            var edge = Quantile(present, (double)k / bins);
            // Equal quantiles (a constant or lumpy column) would make empty bins with no width: keep distinct edges only.
            if (edge > present[0] && (edges.Count == 0 || edge > edges[^1]))
                edges.Add(edge);
        }

        var counts = new long[edges.Count + 1];
        foreach (var value in present)
            counts[BinOf(edges, value)]++;

        var mean = present.Average();
        var variance = present.Length > 1 ? present.Sum(v => (v - mean) * (v - mean)) / (present.Length - 1) : 0;
        return new FeatureProfile
        {
            Name = name, Type = FeatureProfile.NumericType, Count = values.Count, NullRate = nullRate,
            BinEdges = edges, BinProportions = counts.Select(c => (double)c / present.Length).ToArray(),
            Mean = mean, StandardDeviation = Math.Sqrt(variance), Min = present[0], Max = present[^1],
            Sample = QuantileSample(present, sampleSize),
        };
    }

    public static FeatureProfile Categorical(string name, IReadOnlyList<string?> values)
    {
        var present = values.Where(v => v is not null).Select(v => v!).ToList();
        var groups = present.GroupBy(v => v, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        return new FeatureProfile
        {
            Name = name, Type = FeatureProfile.CategoricalType, Count = values.Count,
            NullRate = values.Count == 0 ? 0 : 1 - (double)present.Count / values.Count,
            Categories = groups.Select(g => g.Key).ToList(),
            CategoryProportions = groups.Select(g => present.Count == 0 ? 0 : (double)g.Count() / present.Count).ToList(),
        };
    }

    /// <summary>The bin of a value: the number of edges at or below it.</summary>
    public static int BinOf(IReadOnlyList<double> edges, double value)
    {
        int low = 0, high = edges.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (value >= edges[mid]) low = mid + 1;
            else high = mid;
        }
        return low;
    }

    /// <summary>Linear-interpolation quantile of sorted values.</summary>
    public static double Quantile(IReadOnlyList<double> sorted, double q)
    {
        if (sorted.Count == 1)
            return sorted[0];
        var position = q * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
    }

    private static double[] QuantileSample(double[] sorted, int size)
    {
        if (sorted.Length <= size)
            return sorted;
        var sample = new double[size];
        for (var i = 0; i < size; i++)
            sample[i] = Quantile(sorted, (i + 0.5) / size);
        return sample;
    }
}
