using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_values_are_binned_through_the_grid
{
    private static readonly double[] Specials =
    [
        0.0, -0.0, double.Epsilon, -double.Epsilon, 2.2e-308, -2.2e-308, 1e-310, -1e-310, double.MaxValue, double.MinValue,
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, 1e300, -1e300,
    ];

    public static TheoryData<string> EdgeSets => new() { "normal quantiles", "lognormal quantiles", "uniform", "one edge", "two edges", "none", "huge range", "denormal", "zero among denormals", "clustered", "training range", "many edges" };

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Every_value_lands_in_the_bin_counted_by_its_edges(string edgeSet)
    {
        var edges = Edges(edgeSet);
        var histogram = new NumericHistogram(edges);

        foreach (var value in Values(edges))
        {
            if (double.IsFinite(value))
                Assert.True(EdgesAtOrBelow(edges, value) == histogram.BinOf(value), $"{value:R} over {edgeSet}");
        }
    }

    [Theory]
    [MemberData(nameof(EdgeSets))]
    public void Counts_sums_and_bounds_are_those_of_counting_edges_one_by_one(string edgeSet)
    {
        var edges = Edges(edgeSet);
        var values = Values(edges);
        var histogram = new NumericHistogram(edges);

        histogram.AddRange(values);

        var counts = new long[edges.Length + 1];
        var sums = new double[edges.Length + 1];
        double? min = null, max = null;
        long nulls = 0, negative = 0, positive = 0;
        foreach (var value in values)
        {
            if (double.IsNaN(value)) nulls++;
            else if (double.IsPositiveInfinity(value)) positive++;
            else if (double.IsNegativeInfinity(value)) negative++;
            else
            {
                var bin = EdgesAtOrBelow(edges, value);
                counts[bin]++;
                sums[bin] += value;
                min = min is { } low && low <= value ? low : value;
                max = max is { } high && high >= value ? high : value;
            }
        }
        Assert.Equal(counts, histogram.Counts);
        Assert.Equal(sums.Select(BitConverter.DoubleToInt64Bits), histogram.Sums.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal((nulls, negative, positive), (histogram.NullCount, histogram.NegativeInfinityCount, histogram.PositiveInfinityCount));
        Assert.Equal(BitConverter.DoubleToInt64Bits(min!.Value), BitConverter.DoubleToInt64Bits(histogram.Min!.Value));
        Assert.Equal(BitConverter.DoubleToInt64Bits(max!.Value), BitConverter.DoubleToInt64Bits(histogram.Max!.Value));
    }

    [Fact]
    public void An_empty_histogram_merged_with_values_takes_their_bounds()
    {
        var empty = new NumericHistogram([0.0, 1.0]);
        var other = new NumericHistogram([0.0, 1.0]);
        other.AddRange([-0.0, 0.5, double.NaN]);

        empty.Merge(other);

        Assert.Equal((-0.0, 0.5), (empty.Min!.Value, empty.Max!.Value));
        Assert.True(double.IsNegative(empty.Min!.Value));
    }

    private static int EdgesAtOrBelow(double[] edges, double value) => edges.Count(edge => edge <= value);

    private static double[] Edges(string edgeSet)
    {
        var random = new Random(edgeSet.Length * 7919 + edgeSet[0]);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double[] Quantiles(Func<double> draw)
        {
            var sample = Enumerable.Range(0, 20_000).Select(_ => draw()).Order().ToArray();
            // About 108 fine edges, like a reference's: 100 quantile bins and the training range.
            return [.. Enumerable.Range(1, 99).Select(k => sample[k * sample.Length / 100]).Append(sample[0]).Append(sample[^1]).Distinct().Order()];
        }

        return edgeSet switch
        {
            "normal quantiles" => Quantiles(Normal),
            "lognormal quantiles" => Quantiles(() => Math.Exp(2 * Normal())),
            "uniform" => [.. Enumerable.Range(0, 108).Select(i => -5 + i * 0.1)],
            "one edge" => [0.25],
            "two edges" => [-1.0, 3.0],
            "none" => [],
            "huge range" => [-1e308, -1.0, 0.0, 1.0, 1e308],
            "denormal" => [-double.Epsilon, 0.0, double.Epsilon, 1e-310, 2.2e-308],
            "zero among denormals" => [-1.0, -double.Epsilon, 0.0, double.Epsilon, 1e-310, 1.0],
            "clustered" => [.. Enumerable.Range(0, 100).Select(i => 1 + i * 1e-12).Append(1e6)],
            // A reference's fine edges: quantiles, the training minimum and the next double after its maximum (one ulp above an edge).
            "training range" => Quantiles(Normal) is var quantiles ? [.. quantiles, Math.BitIncrement(quantiles[^1])] : [],
            // More edges than a byte cell table holds.
            "many edges" => [.. Enumerable.Range(0, 300).Select(i => Math.Pow(1.01, i))],
            _ => throw new ArgumentOutOfRangeException(nameof(edgeSet)),
        };
    }

    private static double[] Values(double[] edges)
    {
        var random = new Random(edges.Length);
        var values = new List<double>(Specials);
        foreach (var edge in edges)
            values.AddRange([edge, Math.BitDecrement(edge), Math.BitIncrement(edge), -edge]);
        var low = edges.Length > 0 ? Math.Max(edges[0], -1e300) : -1;
        var high = edges.Length > 0 ? Math.Min(edges[^1], 1e300) : 1;
        var pad = Math.Max(high - low, 1);
        for (var i = 0; i < 20_000; i++)
            values.Add(low - pad + random.NextDouble() * 3 * pad);
        for (var i = 0; i < 2_000; i++)
            values.Add(BitConverter.Int64BitsToDouble(random.NextInt64()));
        return [.. values];
    }
}
