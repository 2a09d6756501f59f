using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

// Reference numbers: python3 tests/Mlops.Monitoring.Tests/reference_values.py — ∫|F − G| over the sorted pooled values for
// samples; for histograms, the piecewise-uniform CDFs integrated numerically (midpoint rule between breakpoints).
public sealed class When_wasserstein_compares_raw_samples
{
    [Fact]
    public void Shifting_every_value_by_five_costs_five()
    {
        Assert.Equal(5, Wasserstein.Between([0, 1, 3], [5, 6, 8]).Value, 12);
    }

    [Fact]
    public void Samples_of_different_sizes_match_the_independent_integral()
    {
        double[] x = [0.61, 0.29, 0.06, 0.59, -1.73, -0.74, 0.51, -0.56];
        double[] y = [0.39, 1.64, 0.05, -0.06, 0.64, -0.82, 0.37, 1.77, 1.09, -1.28];

        Assert.Equal(0.5127499999999998, Wasserstein.Between(x, y).Value, 12);
    }

    [Fact]
    public void Forty_against_thirty_five_values_match_the_independent_integral()
    {
        static double Plastic(int j) => j * 0.7548776662466927 % 1.0 * 0.9 + 0.08;
        var reference = Enumerable.Range(1, 40).Select(i => i * 0.6180339887498949 % 1.0).ToArray();
        var window = Enumerable.Range(1, 35).Select(j => Plastic(j) * Plastic(j)).ToArray();

        Assert.Equal(0.17580620764930197, Wasserstein.Between(reference, window).Value, 12);
    }
}

public sealed class When_wasserstein_compares_a_histogram_window
{
    [Fact]
    public void It_is_the_distance_between_the_piecewise_uniform_distributions_of_the_bins()
    {
        // Reference: shares .1 .4 .3 .2 uniform over [0,1) [1,2) [2,3) [3,5] (no sample, so no bin means).
        // Window: one value at 0.5 (a point mass), 1.2 1.7 (mean 1.45: uniform on [1, 1.9]), 2.2 2.4 2.9 (mean 2.5: [2, 3]),
        // 3.3 4.1 4.6 6 (mean 4.5: [3, 6], closed by the window's max). Script: "wasserstein histogram".
        // Never below |difference of means| = |2.2 − 2.89| = 0.69.
        var reference = Profiles.FourBins();

        var distance = Wasserstein.Of(reference, reference.Window(0.5, 1.2, 1.7, 2.2, 2.4, 2.9, 3.3, 4.1, 4.6, 6.0));

        Assert.Equal(0.715, distance.Value, 9);
    }

    [Fact]
    public void Normalised_it_is_in_reference_standard_deviations()
    {
        var reference = Profiles.FourBins();
        var distance = Wasserstein.Of(reference, reference.Window(0.5, 1.2, 1.7, 2.2, 2.4, 2.9, 3.3, 4.1, 4.6, 6.0));

        var normalized = Wasserstein.Normalized(reference, distance);

        Assert.Equal(DriftMetric.NormalizedWasserstein, normalized.Metric);
        Assert.Equal(0.715 / 1.25, normalized.Value, 9);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(0.3, 1.0)]
    [InlineData(1.0, 1.0)]
    [InlineData(4.0, 1.0)]
    [InlineData(0.0, 1.5)]
    [InlineData(1.0, 0.5)]
    public void With_fine_bins_it_stays_within_a_thousandth_of_a_deviation_of_the_exact_distance(double shift, double scale)
    {
        // Training N(10, 2²); the window moved by `shift` and scaled by `scale`. Exact: raw window against the reference sample.
        var reference = NumericReference.From(ProfileBuilder.Numeric("x", [.. Profiles.Normal(seed: 3, mean: 10, deviation: 2).Take(20_000)]));
        var raw = Profiles.Normal(seed: 4, mean: 10 + shift, deviation: 2 * scale).Take(50_000).ToArray();

        var exact = Wasserstein.Of(reference, raw).Value;
        var binned = Wasserstein.Of(reference, reference.Window(raw)).Value;

        Assert.InRange(binned, exact - 0.002, exact + 0.002);
    }
}
