namespace Mlops.Monitoring.Drift;

/// <summary>
/// Two-sample Kolmogorov–Smirnov: D = supₓ |F(x) − G(x)| and the p-value of D under "same continuous distribution".
/// <list type="bullet">
/// <item>On raw samples D is exact (ties handled: both empirical CDFs step past a shared value together). The p-value is
/// EXACT whenever n·m ≤ <see cref="ExactLimit"/>, which covers every window that keeps its raw values (at most 100,000 rows,
/// against a reference sample of at most 1000): lattice paths from (0,0) to (n,m) that stay strictly inside
/// |i·m − j·n| &lt; n·m·D, counted by the standard recursion normalised by C(i+j, i) at every step (each cell a convex
/// combination of two others, so nothing overflows or cancels), only over the band of cells that can be inside — O(n·min(m,
/// 2·D·m)) time, O(m) memory, a fraction of a second at the limit. The method is the one scipy.stats.ks_2samp(method='exact')
/// uses for n ≠ m. Above the limit (only larger raw samples given directly) the p-value is ASYMPTOTIC: the Kolmogorov
/// distribution Q(λ) at λ = √(nm/(n+m))·D (no small-sample correction). Both are the continuous-case distribution: with ties
/// the p-value is conservative. Double arithmetic limits the exact p-value to about 1e-12 absolute, plenty to compare with
/// any alert threshold.</item>
/// <item>On histograms (<see cref="Of(NumericReference, NumericHistogram)"/>) D is the largest CDF difference at the bin
/// edges, which include the training minimum and (just above) maximum: values outside the training range count fully. The CDFs agree with the raw ones at the edges (bins are [a, b)), so this is a LOWER BOUND of the exact D between
/// the window and the reference the shares came from; finer bins tighten it. Its p-value is asymptotic and, D being a
/// lower bound, an upper bound of the raw one (conservative).</item>
/// </list>
/// Against a profile, the reference sample is its quantile sample (≤ 1000 values) and m its size; a quantile sample is
/// steadier than a random one of that size, so these p-values err on the conservative side too. Non-finite values are
/// left out of both samples (they are reported by the null rate).
/// </summary>
public static class KolmogorovSmirnov
{
    /// <summary>
    /// The largest n·m for which the p-value is exact: 1000 reference values × the 100,000 raw values a window may keep at most
    /// (Monitoring:RawValueLimit), at most about 10^8 cell updates. Above it, asymptotic.
    /// </summary>
    public const long ExactLimit = 100_000_000;

    public const string ExactMethod = "exact";
    public const string AsymptoticMethod = "asymptotic";
    public const string BinnedMethod = "binned";

    /// <summary>Exact KS of a window's raw values against the reference's quantile sample.</summary>
    public static DriftMeasurement Of(NumericReference reference, IReadOnlyList<double> window) =>
        Applicability.Check(DriftMetric.KolmogorovSmirnov, reference, window) ?? TwoSample(reference.Sample, window);

    /// <summary>KS of two raw samples (the second is the window: its size is the measurement's sample size).</summary>
    public static DriftMeasurement TwoSample(IReadOnlyList<double> reference, IReadOnlyList<double> window)
    {
        var a = Distribution.FiniteSorted(reference);
        var b = Distribution.FiniteSorted(window);
        if (a.Length == 0 || b.Length == 0)
            return DriftMeasurement.NotComputable(DriftMetric.KolmogorovSmirnov, Applicability.SampleWithoutValues, b.Length);

        var (n, m) = (a.Length, b.Length);
        var numerator = StatisticNumerator(a, b);
        var d = numerator / ((double)n * m);
        var exact = (long)n * m <= ExactLimit;
        return DriftMeasurement.Computed(DriftMetric.KolmogorovSmirnov, d, m) with
        {
            PValue = exact ? ExactPValue(n, m, numerator) : AsymptoticPValue(n, m, d),
            Method = exact ? ExactMethod : AsymptoticMethod,
        };
    }

    /// <summary>Binned KS of a window histogram against the reference shares over the same bins (a lower bound of the exact D).</summary>
    public static DriftMeasurement Of(NumericReference reference, NumericHistogram window)
    {
        if (Applicability.Check(DriftMetric.KolmogorovSmirnov, reference, window) is { } notComputable)
            return notComputable;

        var (expected, _, referenceSize) = reference.DistributionOver(window);
        double total = window.FiniteCount, referenceCdf = 0, windowCdf = 0, d = 0;
        for (var k = 0; k < window.Edges.Count; k++)
        {
            referenceCdf += expected[k];
            windowCdf += window.Counts[k] / total;
            d = Math.Max(d, Math.Abs(referenceCdf - windowCdf));
        }
        // The running sums can overshoot 1 by a rounding error; D cannot.
        d = Math.Min(d, 1);

        return DriftMeasurement.Computed(DriftMetric.KolmogorovSmirnov, d, window.FiniteCount) with
        {
            PValue = referenceSize > 0 ? AsymptoticPValue(referenceSize, window.FiniteCount, d) : null,
            Method = BinnedMethod,
        };
    }

    /// <summary>P(D ≥ d) for samples of n and m values from one continuous distribution, by exact path counting.</summary>
    public static double ExactPValue(int n, int m, double d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        // D takes the values k/(n·m); the tolerance absorbs the rounding of a d computed as such a ratio.
        return ExactPValue(n, m, (long)Math.Ceiling(d * n * m - 1e-6));
    }

    /// <summary>P(D ≥ d) by the limiting Kolmogorov distribution at λ = √(nm/(n+m))·d.</summary>
    public static double AsymptoticPValue(long n, long m, double d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(m, 1);
        return KolmogorovSurvival(Math.Sqrt((double)n * m / (n + m)) * d);
    }

    /// <summary>Q(λ) = P(K ≥ λ) of the Kolmogorov distribution.</summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (!(lambda > 0))
            return 1;

        double sum = 0;
        if (lambda < 1.18)
        {
            // For small λ the alternating series converges slowly; the theta-function form P(K ≤ λ) = √(2π)/λ Σ e^{−(2k−1)²π²/(8λ²)} converges fast.
            for (var k = 1; k <= 100; k++)
            {
                var term = Math.Exp(-(2 * k - 1) * (2 * k - 1) * Math.PI * Math.PI / (8 * lambda * lambda));
                sum += term;
                if (term <= 1e-17 * sum)
                    break;
            }
            return Math.Clamp(1 - Math.Sqrt(2 * Math.PI) / lambda * sum, 0, 1);
        }

        for (var k = 1; k <= 100; k++)
        {
            var term = Math.Exp(-2.0 * k * k * lambda * lambda);
            sum += k % 2 == 1 ? term : -term;
            if (term <= 1e-17 * Math.Abs(sum))
                break;
        }
        return Math.Clamp(2 * sum, 0, 1);
    }

    /// <summary>n·m·D = max |i·m − j·n| over the points where either empirical CDF steps: an integer, so the p-value's boundary is exact.</summary>
    private static long StatisticNumerator(double[] a, double[] b)
    {
        long n = a.Length, m = b.Length, max = 0;
        int i = 0, j = 0;
        while (i < a.Length && j < b.Length)
        {
            var x = Math.Min(a[i], b[j]);
            while (i < a.Length && a[i] == x)
                i++;
            while (j < b.Length && b[j] == x)
                j++;
            max = Math.Max(max, Math.Abs(i * m - j * n));
        }
        return max;
    }

    /// <summary>
    /// P(max |i·m − j·n| ≥ threshold) over the C(n+m, n) equally likely lattice paths. row[j] holds, for the current i, the
    /// number of paths to (i, j) that stay inside, divided by C(i+j, i): then inside(i, j) = (i·inside(i−1, j) + j·inside(i, j−1)) / (i+j).
    /// Row i can be inside only for j in (i·m − threshold, i·m + threshold) / n, a band that only moves right as i grows: cells
    /// left behind are cleared once and cells ahead were never written, so only the band is visited.
    /// </summary>
    private static double ExactPValue(int n, int m, long threshold)
    {
        if (threshold <= 0)
            return 1;

        var row = new double[m + 1];
        int previousLow = 0, previousHigh = -1;
        for (var i = 0; i <= n; i++)
        {
            var centre = (long)i * m;
            var low = centre - threshold < 0 ? 0 : (int)((centre - threshold) / n + 1);
            var high = (int)Math.Min(m, (centre + threshold - 1) / n);
            Array.Clear(row, previousLow, Math.Max(0, Math.Min(low, previousHigh + 1) - previousLow));
            for (var j = low; j <= high; j++)
            {
                if (i == 0 && j == 0)
                    row[j] = 1;
                else
                    row[j] = (i * row[j] + (j > low ? j * row[j - 1] : 0)) / (i + j);
            }
            (previousLow, previousHigh) = (low, high);
        }
        return Math.Clamp(1 - row[m], 0, 1);
    }
}
