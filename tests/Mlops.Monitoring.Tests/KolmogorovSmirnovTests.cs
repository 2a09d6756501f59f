using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

// Reference numbers: python3 tests/Mlops.Monitoring.Tests/reference_values.py — D by its definition at every pooled value;
// exact p-values by enumerating all C(n+m, n) arrangements (small cases) or by counting lattice paths in big integers
// (40 × 35), the two agreeing on the small case; Q(λ) by the alternating series alone.
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

    [Fact]
    public void Large_samples_get_the_asymptotic_kolmogorov_p_value()
    {
        var reference = Enumerable.Range(1, 1200).Select(Golden).ToArray();
        var window = Enumerable.Range(1, 1000).Select(Plastic).ToArray();

        var ks = KolmogorovSmirnov.TwoSample(reference, window);

        Assert.Equal(KolmogorovSmirnov.AsymptoticMethod, ks.Method);
        Assert.Equal(0.08133333333333333, ks.Value, 12);
        Assert.Equal(0.001468758682909716, ks.PValue!.Value, 10);
    }

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
    public void The_p_value_is_exact_up_to_a_million_pairs_and_asymptotic_beyond_and_both_agree_there()
    {
        var reference = Enumerable.Range(1, 1000).Select(Golden).ToArray();
        var window = Enumerable.Range(1, 1001).Select(j => Plastic(j) * 0.97 + 0.02).ToArray();

        var exact = KolmogorovSmirnov.TwoSample(reference, window[..1000]);
        var asymptotic = KolmogorovSmirnov.TwoSample(reference, window);

        Assert.Equal((KolmogorovSmirnov.ExactMethod, KolmogorovSmirnov.AsymptoticMethod), (exact.Method, asymptotic.Method));
        Assert.Equal(exact.PValue!.Value, KolmogorovSmirnov.AsymptoticPValue(1000, 1000, exact.Value), 2);
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
