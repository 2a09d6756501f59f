namespace Mlops.Monitoring.Drift;

/// <summary>
/// A CDF given by its vertices (x non-decreasing, F non-decreasing from 0 to 1), linear between them; two vertices at the
/// same x are a jump. Steps of an empirical CDF and ramps of a histogram with uniform mass in each bin are both exact in
/// this form, which is what lets one routine integrate |F − G| for raw samples and for histograms alike.
/// </summary>
internal sealed class PiecewiseLinearCdf
{
    private readonly double[] xs;
    private readonly double[] fs;

    private PiecewiseLinearCdf(List<double> xs, List<double> fs)
    {
        this.xs = [.. xs];
        this.fs = [.. fs];
        this.fs[^1] = 1;
    }

    /// <summary>The empirical CDF of sorted finite values (at least one).</summary>
    public static PiecewiseLinearCdf OfSample(double[] sorted)
    {
        var xs = new List<double>();
        var fs = new List<double>();
        var i = 0;
        while (i < sorted.Length)
        {
            var x = sorted[i];
            xs.Add(x);
            fs.Add((double)i / sorted.Length);
            while (i < sorted.Length && sorted[i] == x)
                i++;
            xs.Add(x);
            fs.Add((double)i / sorted.Length);
        }
        return new PiecewiseLinearCdf(xs, fs);
    }

    /// <summary>
    /// The CDF of a histogram with each bin's mass spread uniformly over the widest interval centred on the bin's mean that
    /// stays inside the bin, the bins first clipped to the observed [min, max] (which also closes the two open outer bins).
    /// Without a known mean the mass spreads over the whole clipped bin. A bin of one repeated value becomes a point mass.
    /// </summary>
    public static PiecewiseLinearCdf OfHistogram(IReadOnlyList<double> edges, IReadOnlyList<double> proportions, IReadOnlyList<double>? means,
        double min, double max)
    {
        var xs = new List<double>();
        var fs = new List<double>();
        var cumulative = 0.0;
        for (var k = 0; k < proportions.Count; k++)
        {
            if (proportions[k] <= 0)
                continue;
            var low = k == 0 ? min : Math.Max(edges[k - 1], min);
            if (xs.Count > 0)
                low = Math.Max(low, xs[^1]);
            var high = Math.Max(low, k == proportions.Count - 1 ? max : Math.Min(edges[k], max));
            if (means is not null && double.IsFinite(means[k]))
            {
                // Rounding of the running sums can put a mean a hair outside its bin.
                var mean = Math.Clamp(means[k], low, high);
                var halfWidth = Math.Min(mean - low, high - mean);
                (low, high) = (Math.Max(low, mean - halfWidth), Math.Min(high, mean + halfWidth));
            }
            xs.Add(low);
            fs.Add(cumulative);
            cumulative += proportions[k];
            xs.Add(high);
            fs.Add(cumulative);
        }
        return new PiecewiseLinearCdf(xs, fs);
    }

    /// <summary>∫ |F(x) − G(x)| dx, exact for these piecewise-linear CDFs: between consecutive vertices the difference is linear.</summary>
    public static double AreaBetween(PiecewiseLinearCdf f, PiecewiseLinearCdf g)
    {
        var points = f.xs.Concat(g.xs).Distinct().Order().ToArray();
        var area = 0.0;
        for (var k = 0; k + 1 < points.Length; k++)
        {
            var (left, right) = (points[k], points[k + 1]);
            var start = f.RightLimit(left) - g.RightLimit(left);
            var end = f.LeftLimit(right) - g.LeftLimit(right);
            area += (right - left) * AbsoluteLinearMean(start, end);
        }
        return area;
    }

    /// <summary>The mean of |d(t)| for d linear from start to end over [0, 1]; when d changes sign it is two triangles.</summary>
    private static double AbsoluteLinearMean(double start, double end) =>
        start * end >= 0
            ? (Math.Abs(start) + Math.Abs(end)) / 2
            : (start * start + end * end) / (2 * (Math.Abs(start) + Math.Abs(end)));

    /// <summary>F(x⁺): past a jump at x.</summary>
    private double RightLimit(double x)
    {
        if (x < xs[0])
            return 0;
        if (x >= xs[^1])
            return 1;
        var j = LastAtOrBelow(x);
        return Interpolate(j, x);
    }

    /// <summary>F(x⁻): before a jump at x.</summary>
    private double LeftLimit(double x)
    {
        if (x <= xs[0])
            return 0;
        if (x > xs[^1])
            return 1;
        var j = FirstAtOrAbove(x);
        return Interpolate(j - 1, x);
    }

    /// <summary>F on the segment from vertex j to vertex j + 1, which has positive width and contains x.</summary>
    private double Interpolate(int j, double x) => fs[j] + (fs[j + 1] - fs[j]) * (x - xs[j]) / (xs[j + 1] - xs[j]);

    private int LastAtOrBelow(double x)
    {
        int low = 0, high = xs.Length - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (xs[mid] <= x) low = mid;
            else high = mid - 1;
        }
        return low;
    }

    private int FirstAtOrAbove(double x)
    {
        int low = 0, high = xs.Length - 1;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (xs[mid] >= x) high = mid;
            else low = mid + 1;
        }
        return low;
    }
}
