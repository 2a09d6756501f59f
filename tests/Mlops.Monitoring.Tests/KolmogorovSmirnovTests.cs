using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

// Reference numbers: python3 tests/Mlops.Monitoring.Tests/reference_values.py — D by its definition at every pooled value;
// exact p-values by enumerating all C(n+m, n) arrangements (small cases) or by counting lattice paths in big integers
// (40 × 35), the two agreeing on the small case; above 1,000 rows by Debian's python3-scipy (ks_2samp, method='exact');
// Q(λ) by the alternating series alone.
public sealed class When_ks_compares_raw_samples
{
    private static readonly double[] X = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56];
    private static readonly double[] Y = [0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28];

    private static double Golden(int i) => i * 0.6180339887498949 % 1.0;
    private static double Plastic(int j) => j * 0.7548776662466927 % 1.0 * 0.9 + 0.08;

    [Fact]
    public void Small_samples_get_the_exact_statistic_and_p_value()
    {
        var ks = KolmogorovSmirnov.TwoSample(X, Y);

        Assert.Equal(0.4, ks.Value, 12);
        Assert.Equal(0.3917455093925682, ks.PValue!.Value, 12);
        Assert.Equal(KolmogorovSmirnov.ExactMethod, ks.Method);
        Assert.Equal(10, ks.SampleSize);
    }

    [Fact]
    public void Tied_values_step_both_distribution_functions_together()
    {
        var ks = KolmogorovSmirnov.TwoSample([1, 2, 2, 3, 3, 3, 4], [2, 3, 4, 4, 5, 5]);

        Assert.Equal(0.5238095238095237, ks.Value, 12);
        Assert.Equal(0.2773892773892774, ks.PValue!.Value, 12);
    }

    [Fact]
    public void A_larger_exact_case_matches_the_big_integer_path_count()
    {
        var reference = Enumerable.Range(1, 40).Select(Golden).ToArray();
        var window = Enumerable.Range(1, 35).Select(j => Plastic(j) * Plastic(j)).ToArray();

        var ks = KolmogorovSmirnov.TwoSample(reference, window);

        Assert.Equal(0.29285714285714287, ks.Value, 12);
        Assert.Equal(0.0646432140638203, ks.PValue!.Value, 12);
    }

    [Theory]
    [InlineData(1200, 1000, 0.08133333333333333, 0.0013810856408661193)]
    [InlineData(1000, 1500, 0.05366666666666667, 0.06151507810952114)]
    [InlineData(1000, 20000, 0.03605, 0.1645268547743245)]
    [InlineData(1000, 100000, 0.04269, 0.052644270823893766)]
    public void Windows_above_a_thousand_rows_get_the_exact_p_value_scipy_computes(int n, int m, double expectedD, double expectedP)
    {
        // Script: "exact large ks" (scipy.stats.ks_2samp(method='exact')). 1000 x 100000 is the largest raw window against the largest reference sample.
        var reference = Enumerable.Range(1, n).Select(Golden).ToArray();
        var window = n == 1200
            ? Enumerable.Range(1, m).Select(Plastic).ToArray()
            : Enumerable.Range(1, m).Select(j => Math.Pow(Uniform(j), Exponent(m))).ToArray();

        var ks = KolmogorovSmirnov.TwoSample(reference, window);

        Assert.Equal(KolmogorovSmirnov.ExactMethod, ks.Method);
        Assert.Equal(expectedD, ks.Value, 12);
        Assert.Equal(expectedP, ks.PValue!.Value, 10);
    }

    private static double Uniform(int j) => j * 0.7548776662466927 % 1.0;

    private static double Exponent(int m) => m switch { 1500 => 1.15, 20000 => 1.1, _ => 1.12 };

    [Theory]
    [InlineData(0.5, 0.9639452436648751)]
    [InlineData(0.8, 0.5441424115741981)]
    [InlineData(1.0, 0.26999967167735456)]
    [InlineData(1.18, 0.1234538094297657)]
    [InlineData(1.5, 0.022217962616525127)]
    [InlineData(2.0, 0.0006709252557796953)]
    public void The_kolmogorov_distribution_matches_its_alternating_series_on_both_sides_of_the_switch(double lambda, double expected)
    {
        Assert.Equal(expected, KolmogorovSmirnov.KolmogorovSurvival(lambda), 12);
    }

    [Fact]
    public void The_exact_p_value_agrees_with_the_asymptotic_one_where_both_apply()
    {
        var reference = Enumerable.Range(1, 1000).Select(Golden).ToArray();
        var window = Enumerable.Range(1, 1001).Select(j => Plastic(j) * 0.97 + 0.02).ToArray();

        var ks = KolmogorovSmirnov.TwoSample(reference, window);

        // Script: "exact large ks 1000x1001".
        Assert.Equal(KolmogorovSmirnov.ExactMethod, ks.Method);
        Assert.Equal(9.970312813407386e-05, ks.PValue!.Value, 12);
        Assert.Equal(ks.PValue!.Value, KolmogorovSmirnov.AsymptoticPValue(1000, 1001, ks.Value), 4);
    }

    [Fact]
    public void Only_samples_larger_than_any_raw_window_fall_back_to_the_asymptotic_p_value()
    {
        var reference = Enumerable.Range(1, 10_001).Select(Golden).ToArray();
        var window = Enumerable.Range(1, 10_000).Select(Plastic).ToArray();

        var ks = KolmogorovSmirnov.TwoSample(reference, window);

        Assert.True(10_001L * 10_000 > KolmogorovSmirnov.ExactLimit);
        Assert.Equal(KolmogorovSmirnov.AsymptoticMethod, ks.Method);
        Assert.Equal(KolmogorovSmirnov.AsymptoticPValue(10_001, 10_000, ks.Value), ks.PValue!.Value);
    }

    [Fact]
    public void The_kolmogorov_distribution_is_what_the_large_sample_formula_evaluates()
    {
        // Script: "ks 1200x1000 D ... lambda ... p": the asymptotic formula on the case that used to get it.
        Assert.Equal(0.001468758682909716, KolmogorovSmirnov.AsymptoticPValue(1200, 1000, 0.08133333333333333), 10);
    }

    [Fact]
    public void Identical_samples_have_d_zero_and_p_one()
    {
        var ks = KolmogorovSmirnov.TwoSample(X, X);

        Assert.Equal((0.0, 1.0), (ks.Value, ks.PValue!.Value));
    }
}

public sealed class When_ks_compares_a_histogram_window
{
    [Fact]
    public void The_binned_statistic_is_the_largest_cdf_difference_at_the_edges()
    {
        // Script: "numeric binned ks" — cumulative shares at the edges 1, 2, 3 of the reference (.1 .5 .8) and the window (0 1/3 7/9).
        var reference = Profiles.FourBins();

        var ks = KolmogorovSmirnov.Of(reference, reference.Window(1.0, 1.5, 1.5, 2.0, 2.5, 2.5, 2.5, 3.5, 4.0));

        Assert.Equal(0.16666666666666669, ks.Value, 12);
        Assert.Equal(KolmogorovSmirnov.BinnedMethod, ks.Method);
        Assert.InRange(ks.PValue!.Value, 0.5, 1);
    }

    [Theory]
    [InlineData(5.5, 6.0, 9.0)]
    [InlineData(-3.0, -0.5, -0.001)]
    public void A_window_entirely_outside_the_training_range_has_the_largest_statistic(params double[] values)
    {
        // Training values lie in [0, 5]: the reference CDF is 0 below 0 and 1 above 5, the window's the opposite. Without the
        // range edges those values fell into the outer training bins and the statistic was 0.2 above, 0.1 below.
        var reference = Profiles.FourBins();

        var ks = KolmogorovSmirnov.Of(reference, reference.Window(values));

        Assert.Equal(1.0, ks.Value);
        Assert.Equal(KolmogorovSmirnov.BinnedMethod, ks.Method);
        Assert.Equal(KolmogorovSmirnov.AsymptoticPValue(reference.FineSize, values.Length, 1.0), ks.PValue!.Value);
    }

    [Fact]
    public void Values_beyond_the_training_maximum_count_against_a_sampled_profile_too()
    {
        var training = Profiles.Normal(seed: 1, mean: 0, deviation: 1).Take(5000).ToArray();
        var reference = Profiles.Numeric(training);
        var max = training.Max();
        var beyond = Enumerable.Range(1, 300).Select(k => max + k * 0.01).ToArray();
        var half = Profiles.Normal(seed: 2, mean: 0, deviation: 1).Take(300).Concat(beyond).ToArray();

        var all = KolmogorovSmirnov.Of(reference, reference.Window(beyond));
        var mixed = KolmogorovSmirnov.Of(reference, reference.Window(half));

        Assert.Equal(1.0, all.Value);
        Assert.InRange(mixed.Value, 0.5, 0.5 + 1e-12);
        Assert.Contains(max, reference.FineEdges.Select(Math.BitDecrement));
        Assert.Contains(training.Min(), reference.FineEdges);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.5)]
    public void The_binned_statistic_is_a_lower_bound_of_the_exact_one_within_the_largest_bin_mass(double shift)
    {
        // Inside one bin neither CDF can move by more than that bin's mass, so exact D − binned D ≤ max over bins of (p + q).
        var reference = Profiles.Numeric([.. Profiles.Normal(seed: 1, mean: 0, deviation: 1).Take(5000)]);
        var raw = Profiles.Normal(seed: 2, mean: shift, deviation: 1).Take(3000).ToArray();
        var window = reference.Window(raw);
        var largestBinMass = reference.FineProportions.Select((p, k) => p + (double)window.Counts[k] / window.FiniteCount).Max();

        var exact = KolmogorovSmirnov.Of(reference, raw);
        var binned = KolmogorovSmirnov.Of(reference, window);

        Assert.InRange(binned.Value, exact.Value - largestBinMass, exact.Value + 1e-12);
        Assert.True(binned.PValue >= exact.PValue - 1e-12, $"the binned p-value {binned.PValue} is conservative against {exact.PValue}");
    }
}
