using Mlops.Catalog.Monitoring;
using Mlops.Monitoring.Drift;
using Xunit;

namespace Mlops.Monitoring.Tests;

public sealed class When_the_reference_column_is_constant
{
    private static readonly NumericReference Reference = Profiles.Numeric([.. Enumerable.Repeat(5.0, 200)]);

    [Fact]
    public void Its_bins_are_below_at_and_above_the_constant()
    {
        Assert.Equal([5.0, Math.BitIncrement(5.0)], Reference.Edges);
        Assert.Equal([0.0, 1, 0], Reference.Proportions);
    }

    [Fact]
    public void The_same_constant_shows_no_drift()
    {
        var measurements = FeatureDrift.Measure(Reference, [5.0, 5.0, 5.0]).ToDictionary(m => m.Metric);

        Assert.Equal(0, measurements[DriftMetric.Psi].Value, 12);
        Assert.Equal(0, measurements[DriftMetric.JensenShannon].Value, 12);
        Assert.Equal((0.0, 1.0), (measurements[DriftMetric.KolmogorovSmirnov].Value, measurements[DriftMetric.KolmogorovSmirnov].PValue!.Value));
        Assert.Equal(0, measurements[DriftMetric.Wasserstein].Value, 12);
    }

    [Fact]
    public void A_changed_constant_is_full_drift()
    {
        // PSI: reference (0, 1, 0) and window (0, 0, 1) floored at 1e-4: 2 × (1 − 1e-4) × ln(1e4) (script: "constant column psi").
        var window = Reference.Window(6.0, 6.0);

        Assert.Equal(18.41883867587797, PopulationStabilityIndex.Of(Reference, window).Value, 10);
        Assert.Equal(1, JensenShannon.Of(Reference, window).Value, 12);
        Assert.Equal(1, KolmogorovSmirnov.Of(Reference, window).Value, 12);
        Assert.Equal(1, Wasserstein.Of(Reference, window).Value, 12);
    }

    [Fact]
    public void The_normalised_wasserstein_distance_is_not_computable_but_the_raw_one_is()
    {
        var raw = Wasserstein.Of(Reference, Reference.Window(6.0));

        var normalized = Wasserstein.Normalized(Reference, raw);

        Assert.Equal(MeasurementStatus.NotComputable, normalized.Status);
        Assert.True(double.IsNaN(normalized.Value));
        Assert.Contains("standard deviation is 0", normalized.Reason);
        Assert.Equal(1, raw.Value, 12);
    }
}

public sealed class When_the_reference_column_sits_mostly_at_its_minimum
{
    [Fact]
    public void A_change_of_the_share_at_the_minimum_is_seen_although_the_profile_has_a_single_bin()
    {
        var profile = ProfileBuilder.Numeric("has_complaint", [.. Enumerable.Repeat(0.0, 95), .. Enumerable.Repeat(1.0, 5)]);
        var reference = NumericReference.From(profile);

        var psi = PopulationStabilityIndex.Of(reference, reference.Window([.. Enumerable.Repeat(0.0, 50), .. Enumerable.Repeat(1.0, 50)]));

        Assert.Empty(profile.BinEdges);
        Assert.Equal([0.0, 0.95, 0.05], reference.Proportions.Select(p => Math.Round(p, 12)));
        Assert.Equal(PopulationStabilityIndex.Between([0, 0.95, 0.05], [0, 0.5, 0.5]), psi.Value, 12);
    }
}

public sealed class When_the_window_is_empty
{
    [Fact]
    public void No_metric_is_computable_and_each_says_the_window_has_no_rows()
    {
        var numeric = FeatureDrift.Measure(Profiles.FourBins(), Profiles.FourBins().NewHistogram());
        var raw = FeatureDrift.Measure(Profiles.Numeric([1, 2, 3]), []);
        var categorical = FeatureDrift.Measure(Profiles.Plans(), Profiles.Plans().NewHistogram());

        Assert.All(numeric.Concat(categorical).Concat(raw), m =>
        {
            Assert.Equal(MeasurementStatus.NotComputable, m.Status);
            Assert.True(double.IsNaN(m.Value));
            Assert.Equal("the window has no rows", m.Reason);
        });
    }
}

public sealed class When_the_window_has_only_nulls
{
    [Fact]
    public void Distribution_metrics_are_not_computable_and_the_null_rate_is_one()
    {
        var reference = Profiles.FourBins();

        var measurements = FeatureDrift.Measure(reference, reference.Window(double.NaN, double.NaN, double.PositiveInfinity)).ToDictionary(m => m.Metric);

        Assert.Equal((1.0, 0.02), (measurements[DriftMetric.NullRate].Value, measurements[DriftMetric.NullRate].Baseline!.Value));
        Assert.All(measurements.Values.Where(m => m.Metric != DriftMetric.NullRate), m =>
        {
            Assert.Equal(MeasurementStatus.NotComputable, m.Status);
            Assert.Equal("the window has only nulls or non-finite values", m.Reason);
        });
    }

    [Fact]
    public void A_categorical_window_of_nulls_has_null_rate_one_and_no_distribution()
    {
        var reference = Profiles.Plans();

        var measurements = FeatureDrift.Measure(reference, reference.Window(null, null)).ToDictionary(m => m.Metric);

        Assert.Equal(1.0, measurements[DriftMetric.NullRate].Value);
        Assert.Equal(MeasurementStatus.NotComputable, measurements[DriftMetric.Psi].Status);
    }
}

public sealed class When_the_reference_column_was_all_null
{
    [Fact]
    public void Distribution_metrics_are_not_computable_but_the_null_rate_is()
    {
        var reference = Profiles.Numeric([double.NaN, double.NaN, double.NaN]);

        var measurements = FeatureDrift.Measure(reference, reference.Window(1.0, 2.0, double.NaN)).ToDictionary(m => m.Metric);

        Assert.False(reference.HasValues);
        Assert.Equal("the reference has no non-null finite values", measurements[DriftMetric.Psi].Reason);
        Assert.Equal(MeasurementStatus.NotComputable, measurements[DriftMetric.KolmogorovSmirnov].Status);
        Assert.Equal(MeasurementStatus.NotComputable, measurements[DriftMetric.Wasserstein].Status);
        Assert.Equal((1.0 / 3, 1.0), (measurements[DriftMetric.NullRate].Value, measurements[DriftMetric.NullRate].Baseline!.Value));
    }

    [Fact]
    public void A_categorical_reference_without_categories_has_no_distribution_to_compare()
    {
        var reference = CategoricalReference.From(ProfileBuilder.Categorical("plan", [null, null]));

        Assert.Equal(MeasurementStatus.NotComputable, JensenShannon.Of(reference, reference.Window("a")).Status);
    }
}

public sealed class When_the_window_has_a_single_row
{
    private static readonly double[] OneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

    [Fact]
    public void Ks_is_exact_and_one_central_value_is_no_evidence_of_drift()
    {
        // One value against ten: D ≥ ½ for every arrangement, so P(D ≥ ½) = 1 (script: "ks single row").
        var ks = KolmogorovSmirnov.TwoSample(OneToTen, [5.5]);

        Assert.Equal((0.5, 1.0, 1L), (ks.Value, ks.PValue!.Value, ks.SampleSize));
    }

    [Fact]
    public void Ks_of_one_value_outside_the_reference_is_two_arrangements_out_of_eleven()
    {
        var ks = KolmogorovSmirnov.TwoSample(OneToTen, [20]);

        Assert.Equal(1.0, ks.Value);
        Assert.Equal(0.18181818181818182, ks.PValue!.Value, 12);
    }

    [Fact]
    public void Wasserstein_is_the_mean_distance_to_the_reference_values()
    {
        // |5.5 − k| for k = 1…10: 4.5 3.5 2.5 1.5 .5 .5 1.5 2.5 3.5 4.5, mean 2.5.
        Assert.Equal(2.5, Wasserstein.Between(OneToTen, [5.5]).Value, 12);
    }

    [Fact]
    public void Psi_is_computed_over_the_one_row_and_says_how_small_the_window_was()
    {
        var reference = Profiles.FourBins();

        var psi = PopulationStabilityIndex.Of(reference, reference.Window(2.5));

        Assert.Equal(PopulationStabilityIndex.Between([0.1, 0.4, 0.3, 0.2], [0, 0, 1, 0]), psi.Value, 12);
        Assert.Equal(1, psi.SampleSize);
    }
}

public sealed class When_the_data_has_nan_and_infinities
{
    [Fact]
    public void They_are_left_out_of_every_distribution_and_counted_in_the_null_rate()
    {
        var reference = Profiles.FourBins();
        double[] finite = [1.0, 1.5, 1.5, 2.0, 2.5, 2.5, 2.5, 3.5, 4.0];

        var clean = FeatureDrift.Measure(reference, reference.Window(finite)).ToDictionary(m => m.Metric);
        var dirty = FeatureDrift.Measure(reference, reference.Window([double.NaN, .. finite, double.PositiveInfinity, double.NegativeInfinity]))
            .ToDictionary(m => m.Metric);

        foreach (var metric in new[] { DriftMetric.Psi, DriftMetric.KolmogorovSmirnov, DriftMetric.JensenShannon, DriftMetric.Wasserstein, DriftMetric.TotalVariation })
        {
            Assert.True(clean[metric].IsComputed, metric);
            Assert.Equal(clean[metric].Value, dirty[metric].Value);
        }
        Assert.Equal(3.0 / 12, dirty[DriftMetric.NullRate].Value, 12);
    }

    [Fact]
    public void Raw_samples_drop_them_before_ks_and_wasserstein()
    {
        double[] reference = [1, 2, 3, double.NaN], window = [2, 3, 4, double.PositiveInfinity, double.NegativeInfinity];

        Assert.Equal(KolmogorovSmirnov.TwoSample([1, 2, 3], [2, 3, 4]).Value, KolmogorovSmirnov.TwoSample(reference, window).Value);
        Assert.Equal(1, Wasserstein.Between(reference, window).Value, 12);
    }

    [Fact]
    public void A_sample_with_nothing_finite_is_not_computable()
    {
        Assert.Equal(MeasurementStatus.NotComputable, KolmogorovSmirnov.TwoSample([1, 2], [double.NaN]).Status);
        Assert.Equal(MeasurementStatus.NotComputable, Wasserstein.Between([double.PositiveInfinity], [1]).Status);
    }
}

public sealed class When_categories_were_never_seen_in_training
{
    [Fact]
    public void They_fill_the_unseen_bucket_whose_reference_share_is_zero()
    {
        var reference = Profiles.Plans();

        var window = reference.Window("a", "new", "newer", "b");

        Assert.Equal([0.5, 0.3, 0.2, 0.0], reference.Proportions);
        Assert.Equal(2, window.UnseenCount);
        Assert.Equal(PopulationStabilityIndex.Between([0.5, 0.3, 0.2, 0], [0.25, 0.25, 0, 0.5]), PopulationStabilityIndex.Of(reference, window).Value, 12);
    }

    [Fact]
    public void A_window_of_only_unseen_categories_is_at_the_largest_js_and_total_variation_distance()
    {
        var reference = Profiles.Plans();
        var window = reference.Window("x", "y", "z");

        Assert.Equal(1, JensenShannon.Of(reference, window).Value, 12);
        Assert.Equal(1, TotalVariation.Of(reference, window).Value, 12);
    }
}
